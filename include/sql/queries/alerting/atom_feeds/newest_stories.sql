-- The newest stories of each feed topic in the watch's scope (story_topics aggregated once for
-- all topics), each with its lead article's link, its outlets, its topics in scope and the
-- country the topic is about.
with picked as (
    select story_id, topic, title, first_seen_at, published_at, source_count, article_count,
           score, country
    from story_topics
    where topic in (select unnest($topics::varchar[])) and in_watch
    qualify row_number() over (
        partition by topic order by coalesce(published_at, first_seen_at) desc, story_id
    ) <= $limit
)
select p.topic,
       p.story_id,
       p.title,
       p.first_seen_at,
       p.published_at,
       s.last_seen_at,
       p.source_count,
       p.article_count,
       p.score,
       p.country,
       coalesce(a.url, a.canonical_url) as url,
       (select list(distinct x.source order by x.source)
        from articles as x
        where x.story_id = p.story_id and x.source is not null) as outlets,
       (select list(distinct t.topic order by t.topic)
        from story_topics as t
        where t.story_id = p.story_id and t.in_watch) as topics
from picked as p
join stories as s using (story_id)
left join articles as a on a.article_id = s.first_article_id
order by p.topic, coalesce(p.published_at, p.first_seen_at) desc, p.story_id;
