-- The stories behind a spike: that topic's stories on that day (in that region, for a
-- regional spike), best scored first.
select t.story_id, t.title, t.score, t.article_count, t.source_count, t.published_at, t.first_seen_at
from story_topics as t
where t.topic = $topic
  and cast(coalesce(t.published_at, t.first_seen_at) at time zone 'UTC' as date) = $day
  and ($region is null
       or t.story_id in (select story_id from story_regions where region = $region))
order by t.score desc, t.source_count desc, t.story_id
limit $limit;
