-- The stories behind a spike: that topic's stories on that day, best scored first.
select story_id, title, score, article_count, source_count, published_at, first_seen_at
from story_topics
where topic = $topic
  and cast(coalesce(published_at, first_seen_at) at time zone 'UTC' as date) = $day
order by score desc, source_count desc, story_id
limit $limit;
