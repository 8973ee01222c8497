-- The staged topics of new and changed articles.
insert into article_topics (article_id, topic, score, evidence, taxonomy_version, tagged_at,
                            country, country_evidence)
select t.article_id, t.topic, t.score, t.evidence, $taxonomy_version, $now,
       t.country, t.country_evidence
from incoming_topics as t
join incoming as s using (article_id)
where s.state in ('new', 'changed');
