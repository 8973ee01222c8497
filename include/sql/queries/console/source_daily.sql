-- New articles per source per day, the $days days up to $now.
select source, cast(first_seen_at at time zone 'UTC' as date) as day, count(*) as articles
from articles
where source is not null
  and first_seen_at > $now - to_days(cast($days as integer))
  and first_seen_at <= $now
group by all
order by source, day;
