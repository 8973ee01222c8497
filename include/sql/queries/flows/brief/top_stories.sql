-- The brief's top stories: those of its 24 hours (about a watched country with a topic, or
-- a watchlist's matches) carried by the most outlets, with the lead article's link.
with picked as (
    select s.story_id, s.title, s.source_count, s.first_article_id,
           coalesce(s.published_at, s.first_seen_at) as story_at
    from stories as s
    where coalesce(s.published_at, s.first_seen_at) >= $start::timestamptz
      and coalesce(s.published_at, s.first_seen_at) < $end::timestamptz
      and if($watchlist is null,
             s.story_id in (select story_id from story_topics where in_watch),
             s.story_id in (select story_id from watchlist_matches where watchlist = $watchlist))
    order by s.source_count desc, story_at desc, s.story_id
    limit $limit
)
select p.story_id, coalesce(a.title, p.title) as title, coalesce(a.url, a.canonical_url) as url,
       p.source_count, p.story_at,
       (select list(distinct x.source order by x.source) from articles as x
        where x.story_id = p.story_id and x.source is not null) as outlets,
       (select list(distinct t.topic order by t.topic) from story_topics as t
        where t.story_id = p.story_id and (t.in_watch or $watchlist is not null)) as topics
from picked as p
left join articles as a on a.article_id = p.first_article_id
order by p.source_count desc, p.story_at desc, p.story_id;
