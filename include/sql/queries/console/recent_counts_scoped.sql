-- As recent_counts.sql, for the topics about the overview's country filter: '' the watch's
-- scope (in_watch), 'all' every country, or one ISO 3166-1 code.
-- Stories per topic in the 24 hours before $now against the mean per day of the 7 days
-- before those (by the story's publication time, else the time it was first seen).
with recent as (
    select story_id, coalesce(published_at, first_seen_at) as story_at
    from stories
    where coalesce(published_at, first_seen_at) >= $now - interval 8 day
      and coalesce(published_at, first_seen_at) < $now
),
story_topic as (
    select distinct a.story_id, t.topic
    from articles as a
    join article_topics as t using (article_id)
    where (($country = '' and in_watch(t.country)) or $country = 'all' or t.country = $country)
      and a.story_id in (select story_id from recent)
)
select st.topic,
       count(*) filter (where r.story_at >= $now - interval 1 day) as last_24h,
       round(count(*) filter (where r.story_at < $now - interval 1 day) / 7.0, 2) as baseline_per_day
from story_topic as st
join recent as r using (story_id)
group by st.topic
order by st.topic;
