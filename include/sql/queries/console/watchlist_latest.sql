-- The newest $limit matches of each watchlist, with the matching article's title and link.
select m.watchlist, m.story_id, m.evidence, m.suppressed, m.matched_at,
       story_day(s.published_at, s.first_seen_at) as day, s.published_at is null as undated,
       coalesce(a.title, s.title) as title, coalesce(a.url, a.origin) as url, a.source,
       s.source_count, a.text
from watchlist_matches as m
join stories as s using (story_id)
left join articles as a on a.article_id = m.article_id
qualify row_number() over (
    partition by m.watchlist order by coalesce(s.published_at, s.first_seen_at) desc, m.story_id
) <= $limit
order by m.watchlist, day desc, m.story_id;
