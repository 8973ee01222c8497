-- All stories per day over the baseline window and the day itself, whatever their topics:
-- the denominator of a topic's share (`daily_story_counts`).
select day, count(*) as stories
from stories_of_days($start, $as_of)
group by day;
