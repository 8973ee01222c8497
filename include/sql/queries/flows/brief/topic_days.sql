-- Stories per topic in each of the 8 slices of 24 hours before $end (ago 0: the brief's own
-- day; 1-7: the week before), by the story's time (published, else first seen). The
-- general brief counts topics about the watched countries; a watchlist's, its matches.
select t.topic,
       cast(floor(epoch($end::timestamptz - coalesce(t.published_at, t.first_seen_at)) / 86400) as integer) as ago,
       count(*) as stories
from story_topics as t
where t.topic in (select unnest($topics::varchar[]))
  and coalesce(t.published_at, t.first_seen_at) >= $end::timestamptz - interval 8 day
  and coalesce(t.published_at, t.first_seen_at) < $end::timestamptz
  and (if($watchlist is null, t.in_watch,
          t.story_id in (select story_id from watchlist_matches where watchlist = $watchlist)))
group by all;
