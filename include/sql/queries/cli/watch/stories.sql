-- The stories a watchlist matched or would match, newest first: day, title, outlets, link.
select s.story_id, story_day(s.published_at, s.first_seen_at) as day, s.published_at is null as undated,
       coalesce(a.title, s.title) as title, s.source_count, coalesce(a.url, a.origin) as url,
       a.source
from stories as s
join articles as a on a.article_id = s.first_article_id
where s.story_id in (select unnest($stories::varchar[]))
order by day desc, s.source_count desc, s.story_id;
