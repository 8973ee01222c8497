-- The prefixes a query's words match by (for highlighting), as search_articles uses them.
select distinct case when length(s) > 5 then left(s, greatest(5, length(s) - 2)) else s end
from (select search_stem(w) as s from (select unnest(search_words($q)) as w) where length(w) >= 3);
