-- Stored articles the word index does not hold yet (a database from before the index), as
-- the incoming articles of the indexing steps.
create or replace temp table incoming as
select article_id, title, text, 'new' as state,
       null::varchar as index_terms, null::varchar as index_tfs
from articles
where article_id not in (select article_id from search_docs)
limit $limit;
