-- The article that represents a story in alerts: the first one seen.
select a.article_id, a.title, coalesce(a.url, a.origin), a.source, a.published_at, a.text
from stories as s
join articles as a on a.article_id = s.first_article_id
where s.story_id = $story_id;
