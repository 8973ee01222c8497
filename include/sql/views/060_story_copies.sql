-- Every copy of every story across outlets, first seen first.
--   select source, url, published_at, date_source from story_copies where story_id = '…';
create or replace view story_copies as
select s.story_id,
       s.title as story_title,
       s.article_count,
       s.source_count,
       a.article_id,
       a.title,
       a.source,
       coalesce(a.url, a.origin) as url,
       a.published_at,
       a.date_source,
       a.lang,
       a.first_seen_at,
       a.article_id = s.first_article_id as is_first
from stories as s
join articles as a using (story_id)
order by s.story_id, a.first_seen_at, a.article_id;
