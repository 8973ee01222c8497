-- Stories per topic per day: the story's publication day, or, for a story no copy of which
-- has a date, the day it was first seen (counted in `undated` as well, so they can be left
-- out: stories - undated). `stories` counts the stories about a watched country (in_watch):
-- the count spike signals use; `all_countries` counts them whatever country they are about.
--   select day, stories, undated from daily_topic_counts where topic = 'mobilization' order by day;
create or replace view daily_topic_counts as
select topic,
       story_day(published_at, first_seen_at) as day,
       count(*) filter (where in_watch) as stories,
       count(*) filter (where in_watch and published_at is null) as undated,
       count(*) as all_countries
from story_topics
group by all;

-- All stories per day, whatever their topics: the denominator of a topic's share, which spike
-- signals compare with its share over the days before.
--   select t.day, t.stories, d.stories as all_stories, round(t.stories / d.stories, 3) as share
--   from daily_topic_counts as t join daily_story_counts as d using (day) where topic = 'protests';
create or replace view daily_story_counts as
select story_day(published_at, first_seen_at) as day, count(*) as stories
from stories
group by all;
