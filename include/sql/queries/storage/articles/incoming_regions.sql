-- Region scores for the staged articles, one row per article and region.
create or replace temp table incoming_regions as
select t.article_id, u.region.region as region, u.region.score as score,
       u.region.evidence as evidence
from incoming_tags as t,
unnest(coalesce(t.regions, [])) as u(region);
