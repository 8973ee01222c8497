-- One batch of a re-tag's topics, into the table built beside article_topics.
insert into retag_article_topics (article_id, topic, score, evidence, taxonomy_version,
                                  tagged_at, country, country_evidence)
select article_id, topic, score, evidence, $taxonomy_version, $now, country, country_evidence
from incoming_topics;
