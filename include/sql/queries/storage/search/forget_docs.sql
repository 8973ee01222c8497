delete from search_docs
where article_id in (select article_id from incoming where state = 'changed');
