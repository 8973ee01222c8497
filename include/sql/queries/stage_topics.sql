-- Topic scores for the staged articles, one row per article and assigned topic, from the
-- last tags of each article in stage_tags.
create or replace temp table stage_topics as
with latest as (
    select t.article_id, t.topics
    from stage_tags as t
    semi join (select article_id, max(seq) as seq from stage_tags group by article_id) as m
        using (article_id, seq)
)
select t.article_id, u.topic.topic as topic, u.topic.score as score, u.topic.evidence as evidence
from latest as t,
unnest(t.topics) as u(topic);
