-- Every copy of a story across outlets, first seen first, with where its date came from.
select article_id, title, source, url, published_at, date_source, lang, first_seen_at, is_first
from story_copies
where story_id = $story_id
order by first_seen_at, article_id;
