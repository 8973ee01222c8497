-- Region scores for the staged articles, one row per article and region.
create or replace temp table stage_regions as
select t.article_id, u.region.region as region, u.region.score as score,
       u.region.evidence as evidence
from stage_tags as t,
unnest(coalesce(t.regions, [])) as u(region);
