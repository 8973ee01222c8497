-- Stories per watched topic per day over the baseline window and the day itself.
select topic, day, stories
from daily_topic_counts
where day between $start and $as_of
  and topic in (select unnest($topics::varchar[]));
