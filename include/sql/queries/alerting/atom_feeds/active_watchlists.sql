-- The watchlists in use (each gets a feed, empty until it matches), with their last match.
select w.name, max(m.matched_at) as last_match_at
from watchlists as w
left join watchlist_matches as m on m.watchlist = w.name
where w.removed_at is null and w.error is null
group by w.name
order by w.name;
