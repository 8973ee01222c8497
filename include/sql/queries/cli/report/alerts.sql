-- Alerts per channel and status.
select channel, status, count(*)
from alerts
group by all
order by channel, status;
