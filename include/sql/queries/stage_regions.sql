-- Region scores for the staged articles, one row per article and region, from the last tags
-- of each article in stage_tags.
create or replace temp table stage_regions as
with latest as (
    select t.article_id, t.regions
    from stage_tags as t
    semi join (select article_id, max(seq) as seq from stage_tags group by article_id) as m
        using (article_id, seq)
)
select t.article_id, u.region.region as region, u.region.score as score,
       u.region.evidence as evidence
from latest as t,
unnest(coalesce(t.regions, [])) as u(region);
