-- Stories per topic per day (publication day, else the day first seen): the spike baseline.
create or replace view daily_topic_counts as
select topic,
       cast(coalesce(published_at, first_seen_at) at time zone 'UTC' as date) as day,
       count(*) as stories
from story_topics
group by all;
