-- Changed articles are indexed afresh: their old terms leave the document frequencies.
insert into search_vocab
select t.term, -count(*)::integer
from search_terms as t
join search_docs as d using (doc_no)
where d.article_id in (select article_id from incoming where state = 'changed')
group by t.term;
