-- Region scores for the staged articles (from the same tags file as their topics), one row
-- per article and region. A tags file written before regions existed has none.
create or replace temp table stage_regions as
select t.article_id, u.region.region as region, u.region.score as score,
       u.region.evidence as evidence
from read_json(
    $topics,
    format = 'newline_delimited',
    columns = {
        article_id: 'varchar', seq: 'bigint',
        regions: 'struct(region varchar, score double, evidence struct(term varchar, field varchar, "start" integer, "end" integer, snippet varchar, weight double)[])[]'
    }
) as t,
unnest(coalesce(t.regions, [])) as u(region)
qualify row_number() over (partition by t.article_id, u.region.region order by t.seq desc) = 1;
