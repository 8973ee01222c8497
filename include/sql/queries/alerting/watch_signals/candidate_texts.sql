select article_id, title, text
from articles
where article_id in (select unnest($ids::varchar[]));
