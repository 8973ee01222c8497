select r.article_id, r.region
from article_regions as r
where r.article_id in (select unnest($ids::varchar[]));
