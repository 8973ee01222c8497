-- Topic scores for the staged articles, one row per article and assigned topic, with the
-- country the topic is about.
create or replace temp table incoming_topics as
select t.article_id, u.topic.topic as topic, u.topic.score as score, u.topic.evidence as evidence,
       u.topic.country as country, u.topic.country_evidence as country_evidence
from incoming_tags as t,
unnest(t.topics) as u(topic);
