-- One signal per new match that is alerted: watch:<watchlist>:<story_id>.
insert into signals (signal_id, kind, topic, story_id, score, reason, run_id, created_at,
                     watchlist)
select 'watch:' || m.watchlist || ':' || m.story_id, 'watch', coalesce(m.topic, ''), m.story_id,
       m.score, m.reason, $run_id, $now, m.watchlist
from (
    select unnest($watchlists::varchar[]) as watchlist,
           unnest($stories::varchar[]) as story_id,
           unnest($topics::varchar[]) as topic,
           unnest($scores::double[]) as score,
           unnest($reasons::varchar[]) as reason
) as m
on conflict do nothing
returning signal_id, watchlist;
