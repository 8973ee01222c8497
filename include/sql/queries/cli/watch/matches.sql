-- A watchlist's recorded matches since $since (by the story's day), newest first.
select m.story_id, story_day(s.published_at, s.first_seen_at) as day,
       coalesce(a.title, s.title) as title, s.source_count, coalesce(a.url, a.origin) as url,
       a.source, a.text, m.evidence, m.suppressed, m.matched_at
from watchlist_matches as m
join stories as s using (story_id)
join articles as a on a.article_id = m.article_id
where m.watchlist = $watchlist
  and story_day(s.published_at, s.first_seen_at) >= $since
order by day desc, s.source_count desc, m.story_id
limit $limit;
