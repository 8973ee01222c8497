-- The topics with a spike signal on a day the brief covers.
select distinct topic
from signals
where kind in ('spike', 'region_spike') and day >= $first_day and day <= $last_day;
