-- Stories per topic per day: the story's publication day, or, for a story no copy of which
-- has a date, the day it was first seen (counted in `undated` as well, so they can be left
-- out: stories - undated). This is the count spike signals use.
--   select day, stories, undated from daily_topic_counts where topic = 'mobilization' order by day;
create or replace view daily_topic_counts as
select topic,
       story_day(published_at, first_seen_at) as day,
       count(*) as stories,
       count(*) filter (where published_at is null) as undated
from story_topics
group by all;
