-- Matches per watchlist per day (the story's day, as daily_topic_counts counts it):
--   select day, matches from watchlist_daily_counts where watchlist = 'Far East desk' order by day;
create or replace view watchlist_daily_counts as
select m.watchlist,
       story_day(s.published_at, s.first_seen_at) as day,
       count(*) as matches,
       count(*) filter (where m.suppressed is null) as alerted
from watchlist_matches as m
join stories as s using (story_id)
group by all;
