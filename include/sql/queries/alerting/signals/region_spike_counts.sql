-- Stories per watched topic (about a watched country) per region per day over the
-- baseline window and the day itself: the counts of `daily_topic_region_counts` for those days, with the window's
-- stories picked first (see spike_counts.sql).
with days as (select story_id, day from stories_of_days($start, $as_of)),
copies as (
    select d.story_id, d.day, a.article_id
    from days as d
    join articles as a using (story_id)
),
topics as (
    select distinct c.story_id, c.day, t.topic
    from copies as c
    join article_topics as t using (article_id)
    where t.topic in (select unnest($topics::varchar[]))
      and in_watch(t.country)
),
places as (
    select distinct c.story_id, r.region
    from copies as c
    join article_regions as r using (article_id)
)
select t.topic, p.region, t.day, count(*) as stories
from topics as t
join places as p using (story_id)
group by all;
