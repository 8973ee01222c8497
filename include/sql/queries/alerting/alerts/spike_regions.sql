-- The regions most cited by a topic's stories on a spike's day, with their story counts.
select c.region, coalesce(g.name, c.region) as name, c.stories
from daily_topic_region_counts as c
left join regions as g using (region)
where c.topic = $topic and c.day = $day
order by c.stories desc, c.region
limit $limit;
