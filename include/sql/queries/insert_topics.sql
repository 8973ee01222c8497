-- The staged topics of new and changed articles.
insert into article_topics
select t.article_id, t.topic, t.score, t.evidence, $taxonomy_version, $now
from stage_topics as t
join stage as s using (article_id)
where s.state in ('new', 'changed');
