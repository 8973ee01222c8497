-- Overview chart marks: the spike signals of the days shown.
select signal_id, topic, day, count_day, baseline, reason, suppressed
from signals
where kind = 'spike' and day between $since and $until
order by day, topic;
