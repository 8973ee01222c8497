-- The newest stories each of $names matched (by the story's day), with the link of the
-- article that matched, the story's outlets and topics, and why it matched.
with picked as (
    select m.watchlist, m.story_id, m.article_id, m.evidence, m.score
    from watchlist_matches as m
    join stories as s using (story_id)
    where m.watchlist in (select unnest($names::varchar[]))
    qualify row_number() over (
        partition by m.watchlist
        order by coalesce(s.published_at, s.first_seen_at) desc, m.story_id
    ) <= $limit
)
select p.watchlist,
       p.story_id,
       p.evidence,
       p.score,
       coalesce(a.title, s.title) as title,
       s.first_seen_at,
       s.published_at,
       s.last_seen_at,
       s.source_count,
       coalesce(a.url, a.canonical_url) as url,
       (select list(distinct x.source order by x.source)
        from articles as x
        where x.story_id = p.story_id and x.source is not null) as outlets,
       (select list(distinct t.topic order by t.topic)
        from story_topics as t
        where t.story_id = p.story_id and t.in_watch) as topics
from picked as p
join stories as s using (story_id)
left join articles as a on a.article_id = p.article_id
order by p.watchlist, coalesce(s.published_at, s.first_seen_at) desc, p.story_id;
