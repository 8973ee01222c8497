-- The regions of a story are the regions of its copies: the best score any copy has, and how
-- many copies place it there.
--   select r.name, count(*) from story_regions join regions as r using (region) group by all order by 2 desc;
create or replace view story_regions as
select a.story_id, r.region, max(r.score) as score, count(distinct a.article_id) as articles
from article_regions as r
join articles as a using (article_id)
group by all;

-- Stories per topic (about a watched country: in_watch) per region per day (the story's
-- publication day, else the day it was first seen: as daily_topic_counts, which region
-- spike signals use per region).
--   select day, region, stories from daily_topic_region_counts where topic = 'mobilization' order by day;
create or replace view daily_topic_region_counts as
with topics as (
    select distinct a.story_id, t.topic
    from article_topics as t
    join articles as a using (article_id)
    where in_watch(t.country)
)
select t.topic,
       sr.region,
       story_day(s.published_at, s.first_seen_at) as day,
       count(*) as stories
from topics as t
join story_regions as sr using (story_id)
join stories as s using (story_id)
group by all;

-- The regions most cited in mobilization stories in the 7 days to today, against their mean
-- per 7 days over the 28 days before.
--   select * from mobilization_regions_week limit 10;
create or replace view mobilization_regions_week as
with counts as (
    select region,
           sum(stories) filter (where day > current_date - 7) as stories_7d,
           sum(stories) filter (where day <= current_date - 7 and day > current_date - 35) as stories_28d_before
    from daily_topic_region_counts
    where topic = 'mobilization' and day > current_date - 35 and day <= current_date
    group by region
)
select c.region,
       g.name,
       g.status,
       coalesce(c.stories_7d, 0) as stories_7d,
       round(coalesce(c.stories_28d_before, 0) / 4.0, 2) as baseline_per_7d,
       round(coalesce(c.stories_7d, 0) / greatest(coalesce(c.stories_28d_before, 0) / 4.0, 1.0), 2) as ratio
from counts as c
left join regions as g using (region)
where coalesce(c.stories_7d, 0) > 0
order by stories_7d desc, ratio desc, region;
