-- Every watchlist the database knows, in use first: its definition, its matches (all, and
-- since $since) and its delivery: alerts by status, the last sent and the last error.
with deliveries as (
    select g.watchlist,
           count(*) filter (where a.status = 'sent') as sent,
           count(*) filter (where a.status = 'pending') as pending,
           count(*) filter (where a.status = 'failed') as failed,
           count(*) filter (where a.status = 'suppressed') as suppressed,
           max(a.sent_at) as last_sent_at,
           arg_max(a.last_error, a.updated_at) filter (where a.last_error is not null
                                                        and a.status in ('pending', 'failed')) as last_error
    from alerts as a
    join signals as g using (signal_id)
    where g.kind = 'watch'
    group by g.watchlist
),
matched as (
    select watchlist, count(*) as matches, count(*) filter (where matched_at >= $since) as recent,
           max(matched_at) as last_match_at
    from watchlist_matches
    group by watchlist
)
select w.name, w.definition, w.error, w.channels, w.schedule, w.loaded_at, w.removed_at,
       coalesce(m.matches, 0) as matches, coalesce(m.recent, 0) as recent, m.last_match_at,
       coalesce(d.sent, 0) as sent, coalesce(d.pending, 0) as pending,
       coalesce(d.failed, 0) as failed, coalesce(d.suppressed, 0) as suppressed,
       d.last_sent_at, d.last_error
from watchlists as w
left join matched as m on m.watchlist = w.name
left join deliveries as d on d.watchlist = w.name
order by w.removed_at is not null, w.error is not null, w.name;
