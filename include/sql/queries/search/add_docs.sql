insert into search_docs (article_id, doc_len)
select article_id, sum(tf)::integer
from search_stage
group by article_id;
