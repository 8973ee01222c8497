-- The staged regions of new and changed articles.
insert into article_regions
select r.article_id, r.region, r.score, r.evidence, $gazetteer_version, $now
from incoming_regions as r
join incoming as s using (article_id)
where s.state in ('new', 'changed');
