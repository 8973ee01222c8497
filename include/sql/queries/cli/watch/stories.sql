-- The stories a watchlist would match, by the article that matched, newest first: day,
-- title, outlets, link and text (for the snippet).
select s.story_id, story_day(s.published_at, s.first_seen_at) as day, s.published_at is null as undated,
       coalesce(a.title, s.title) as title, s.source_count, coalesce(a.url, a.origin) as url,
       a.source, a.text
from articles as a
join stories as s using (story_id)
where a.article_id in (select unnest($articles::varchar[]))
order by day desc, s.source_count desc, s.story_id;
