-- The stories that count on a range of days (story_day: the publication day, else the day
-- first seen), as daily_topic_counts and the spike signals count them.
--   select count(*) from stories_of_days(current_date - 7, current_date);
create or replace macro stories_of_days(first_day, last_day) as table
    select story_id, story_day(published_at, first_seen_at) as day
    from stories
    where story_day(published_at, first_seen_at) between first_day and last_day;
