-- The articles of stories dated on or after $since (a watchlist tried or re-matched over a
-- recent window; a story without a date counts on the day it was first seen), less those of
-- $runs (matched just before).
create or replace temp table watch_candidates as
select a.article_id, a.story_id, a.lang, a.source
from articles as a
join stories as s using (story_id)
where coalesce(s.published_at, s.first_seen_at) >= $since
  and a.last_run_id not in (select unnest($runs::varchar[]));
