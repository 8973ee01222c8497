-- One tags file (topics and regions of each staged article), parsed once, keeping the last
-- tags of an article tagged twice in the file; incoming_topics and incoming_regions unnest it. A
-- tags file written before regions existed has none.
create or replace temp table incoming_tags as
with raw as materialized (
    select article_id, seq, topics, regions
    from read_json(
        $topics,
        format = 'newline_delimited',
        maximum_object_size = $max_object,  -- its longest line, when over the default
        columns = {
            article_id: 'varchar', seq: 'bigint',
            topics: 'struct(topic varchar, score double, evidence struct(term varchar, field varchar, "start" integer, "end" integer, snippet varchar, weight double)[], country varchar, country_evidence struct(term varchar, field varchar, "start" integer, "end" integer, snippet varchar, weight double)[])[]',
            regions: 'struct(region varchar, score double, evidence struct(term varchar, field varchar, "start" integer, "end" integer, snippet varchar, weight double)[])[]'
        }
    )
)
select r.*
from raw as r
semi join (select article_id, max(seq) as seq from raw group by article_id) as last
    using (article_id, seq);
