-- Regions the brief's stories name that no story named in the 28 days before.
with window_stories as (
    select s.story_id, coalesce(s.published_at, s.first_seen_at) as story_at
    from stories as s
    where coalesce(s.published_at, s.first_seen_at) >= $start::timestamptz - interval 28 day
      and coalesce(s.published_at, s.first_seen_at) < $end::timestamptz
      and if($watchlist is null,
             s.story_id in (select story_id from story_topics where in_watch),
             s.story_id in (select story_id from watchlist_matches where watchlist = $watchlist))
),
named as (
    select r.region, w.story_at >= $start::timestamptz as recent
    from story_regions as r
    join window_stories as w using (story_id)
)
select n.region, coalesce(g.name, n.region) as name, count(*) as stories
from named as n
left join regions as g using (region)
group by n.region, g.name
having bool_and(n.recent)
order by stories desc, n.region
limit 20;
