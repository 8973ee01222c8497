-- The watchlist and story pairs the stories of one chunk of candidates ($ids) already matched.
select m.watchlist, m.story_id
from watchlist_matches as m
where m.story_id in (
    select story_id from articles where article_id in (select unnest($ids::varchar[]))
);
