-- Each watchlist the database knows: its matches (all, last 7 days), its last match, and
-- its alerts by status.
select w.name, w.error, w.schedule, w.channels, w.removed_at,
       (select count(*) from watchlist_matches as m where m.watchlist = w.name) as matches,
       (select count(*) from watchlist_matches as m where m.watchlist = w.name
           and m.matched_at >= $week_ago) as matches_7d,
       (select max(m.matched_at) from watchlist_matches as m where m.watchlist = w.name) as last_match,
       (select count(*) from alerts as a join signals as g using (signal_id)
           where g.watchlist = w.name and a.status = 'sent') as sent,
       (select count(*) from alerts as a join signals as g using (signal_id)
           where g.watchlist = w.name and a.status = 'pending') as pending,
       (select count(*) from alerts as a join signals as g using (signal_id)
           where g.watchlist = w.name and a.status = 'failed') as failed,
       (select max(a.sent_at) from alerts as a join signals as g using (signal_id)
           where g.watchlist = w.name) as last_sent
from watchlists as w
order by w.removed_at is not null, w.name;
