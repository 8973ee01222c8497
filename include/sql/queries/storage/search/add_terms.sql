insert into search_terms
select s.term, d.doc_no, s.tf
from incoming_terms as s
join search_docs as d using (article_id)
order by s.term, d.doc_no;
