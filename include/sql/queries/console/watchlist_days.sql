-- Matches per watchlist per day since $since (the story's day).
select watchlist, day, matches
from watchlist_daily_counts
where day >= $since;
