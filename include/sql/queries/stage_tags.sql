-- One tags file (topics and regions of each staged article), parsed once; stage_topics and
-- stage_regions unnest the last tags of each article. A tags file written before regions
-- existed has none.
create or replace temp table stage_tags as
select article_id, seq, topics, regions
from read_json(
    $topics,
    format = 'newline_delimited',
    columns = {
        article_id: 'varchar', seq: 'bigint',
        topics: 'struct(topic varchar, score double, evidence struct(term varchar, field varchar, "start" integer, "end" integer, snippet varchar, weight double)[])[]',
        regions: 'struct(region varchar, score double, evidence struct(term varchar, field varchar, "start" integer, "end" integer, snippet varchar, weight double)[])[]'
    }
);
