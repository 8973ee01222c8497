-- The watchlist and story pairs the candidates' stories already matched.
select m.watchlist, m.story_id
from watchlist_matches as m
where m.story_id in (select story_id from watch_candidates);
