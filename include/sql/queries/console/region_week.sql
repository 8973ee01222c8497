-- The regions most cited in mobilization stories in the 7 days to $today, against their mean
-- per 7 days over the 28 days before (as the mobilization_regions_week view, for any day).
-- Only the stories of those 35 days are joined to their copies' topics and regions.
with days as (
    select story_id, cast(coalesce(published_at, first_seen_at) at time zone 'UTC' as date) as day
    from stories
    where coalesce(published_at, first_seen_at) >= cast($today as timestamptz) - interval 36 day
      and coalesce(published_at, first_seen_at) < cast($today as timestamptz) + interval 2 day
),
mobilization as (
    select distinct a.story_id
    from articles as a
    join article_topics as t using (article_id)
    where t.topic = 'mobilization' and a.story_id in (select story_id from days)
),
placed as (
    select distinct a.story_id, r.region
    from articles as a
    join article_regions as r using (article_id)
    where a.story_id in (select story_id from mobilization)
),
counts as (
    select p.region,
           count(*) filter (where d.day > $today - 7 and d.day <= $today) as stories_7d,
           count(*) filter (where d.day <= $today - 7 and d.day > $today - 35) as stories_28d_before
    from placed as p
    join days as d using (story_id)
    group by p.region
)
select c.region,
       coalesce(g.name, c.region) as name,
       g.status,
       c.stories_7d,
       round(c.stories_28d_before / 4.0, 2) as baseline_per_7d
from counts as c
left join regions as g using (region)
where c.stories_7d > 0
order by c.stories_7d desc, c.region
limit $limit;
