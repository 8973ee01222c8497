-- Topic scores for the staged articles, one row per article and assigned topic.
create or replace temp table stage_topics as
select t.article_id, u.topic.topic as topic, u.topic.score as score, u.topic.evidence as evidence
from read_json(
    $topics,
    format = 'newline_delimited',
    columns = {
        article_id: 'varchar', seq: 'bigint',
        topics: 'struct(topic varchar, score double, evidence struct(term varchar, field varchar, "start" integer, "end" integer, snippet varchar, weight double)[])[]'
    }
) as t,
unnest(t.topics) as u(topic)
qualify row_number() over (partition by t.article_id, u.topic.topic order by t.seq desc) = 1;
