-- As daily.sql, for the topics about the overview's country filter: '' the watch's
-- scope (in_watch), 'all' every country, or one ISO 3166-1 code.
-- Overview chart: stories per topic per day in [$since, $until] (the story's publication
-- day, else the day it was first seen; the count of the daily_topic_counts view, which
-- spike signals use). Only the stories of those days are joined to their copies' topics,
-- so the cost follows the days shown, not the whole table.
with days as (
    select story_id,
           cast(coalesce(published_at, first_seen_at) at time zone 'UTC' as date) as day,
           published_at is null as undated
    from stories
    where coalesce(published_at, first_seen_at) >= cast($since as timestamptz) - interval 1 day
      and coalesce(published_at, first_seen_at) < cast($until as timestamptz) + interval 2 day
),
story_topic as (
    select distinct a.story_id, t.topic
    from articles as a
    join article_topics as t using (article_id)
    where (($country = '' and in_watch(t.country)) or $country = 'all' or t.country = $country)
      and a.story_id in (select story_id from days)
)
select st.topic, d.day, count(*) as stories, count(*) filter (where d.undated) as undated
from story_topic as st
join days as d using (story_id)
where d.day between $since and $until
group by all
order by d.day, st.topic;
