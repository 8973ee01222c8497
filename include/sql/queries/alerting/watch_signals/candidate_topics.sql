-- The assigned topics of one chunk of candidates ($ids), with the country each is about.
select t.article_id, t.topic, t.score, t.country
from article_topics as t
where t.article_id in (select unnest($ids::varchar[]));
