-- The regions most cited in mobilization stories in the 7 days to $today, against their mean
-- per 7 days over the 28 days before (as the mobilization_regions_week view, for any day).
with counts as (
    select region,
           sum(stories) filter (where day > $today - 7) as stories_7d,
           sum(stories) filter (where day <= $today - 7 and day > $today - 35) as stories_28d_before
    from daily_topic_region_counts
    where topic = 'mobilization' and day > $today - 35 and day <= $today
    group by region
)
select c.region,
       coalesce(g.name, c.region) as name,
       g.status,
       coalesce(c.stories_7d, 0) as stories_7d,
       round(coalesce(c.stories_28d_before, 0) / 4.0, 2) as baseline_per_7d
from counts as c
left join regions as g using (region)
where coalesce(c.stories_7d, 0) > 0
order by stories_7d desc, c.region
limit $limit;
