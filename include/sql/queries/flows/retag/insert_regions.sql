-- One batch of a re-tag's regions, into the table built beside article_regions.
insert into retag_article_regions
select article_id, region, score, evidence, $gazetteer_version, $now
from incoming_regions;
