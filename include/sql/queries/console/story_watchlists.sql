-- The watchlists a story matched, and why.
select watchlist, evidence, suppressed, matched_at
from watchlist_matches
where story_id = $story_id
order by watchlist;
