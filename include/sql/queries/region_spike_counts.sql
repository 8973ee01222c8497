-- Stories per watched topic per region per day over the baseline window and the day itself.
select topic, region, day, stories
from daily_topic_region_counts
where day between $start and $as_of
  and topic in (select unnest($topics::varchar[]));
