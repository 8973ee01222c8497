-- One story and the signals it raised.
select s.story_id, s.title, s.first_article_id, s.first_seen_at, s.published_at,
       s.article_count, s.source_count, s.last_seen_at,
       (select list(g.signal_id order by g.created_at) from signals as g
        where g.story_id = s.story_id) as signal_ids
from stories as s
where s.story_id = $story_id;
