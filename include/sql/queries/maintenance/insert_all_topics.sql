-- The topics of a full re-tag.
insert into article_topics
select article_id, topic, score, evidence, $taxonomy_version, $now
from stage_topics;
