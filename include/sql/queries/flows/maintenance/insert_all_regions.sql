-- The regions of a full re-tag.
insert into article_regions
select article_id, region, score, evidence, $gazetteer_version, $now
from incoming_regions;
