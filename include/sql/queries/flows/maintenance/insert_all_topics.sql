-- The topics of a full re-tag.
insert into article_topics (article_id, topic, score, evidence, taxonomy_version, tagged_at,
                            country, country_evidence)
select article_id, topic, score, evidence, $taxonomy_version, $now, country, country_evidence
from incoming_topics;
