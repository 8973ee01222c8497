delete from search_terms
where doc_no in (
    select doc_no from search_docs
    where article_id in (select article_id from incoming where state = 'changed')
);
