-- New matches. A story first seen in a backfill run, or published before $recent_since,
-- is history: recorded, not alerted (suppressed = 'backfill'), as new-story signals are; a
-- re-match after an edit is recorded as 'rematch'; a watchlist that delivers nowhere as
-- 'no_delivery'.
insert into watchlist_matches (watchlist, story_id, article_id, score, evidence, fingerprint,
                               run_id, matched_at, suppressed)
select m.watchlist, m.story_id, m.article_id, m.score, m.evidence, m.fingerprint, $run_id, $now,
       case
           when coalesce(r.backfill, false) or s.published_at < $recent_since then 'backfill'
           when $rematch then 'rematch'
           when not m.delivers then 'no_delivery'
       end
from (
    select unnest($watchlists::varchar[]) as watchlist,
           unnest($stories::varchar[]) as story_id,
           unnest($articles::varchar[]) as article_id,
           unnest($scores::double[]) as score,
           unnest($evidence::varchar[]) as evidence,
           unnest($fingerprints::varchar[]) as fingerprint,
           unnest($delivers::boolean[]) as delivers
) as m
join stories as s using (story_id)
left join pipeline_runs as r on r.run_id = s.first_run_id
returning watchlist, story_id, suppressed;
