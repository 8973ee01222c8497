-- The latest signals (new stories and spikes) with the story's headline, link and outlet.
with latest as (
    select *
    from signals
    where $topic is null or topic = $topic
    order by created_at desc, signal_id
    limit $limit
)
select g.*,
       s.title,
       s.source_count,
       s.article_count,
       coalesce(a.url, a.origin) as url,
       a.source,
       coalesce(s.published_at, s.first_seen_at) as story_time
from latest as g
left join stories as s using (story_id)
left join articles as a on a.article_id = s.first_article_id
order by g.created_at desc, g.signal_id;
