-- The candidates' index terms that some watchlist word may match: a short stem exactly, a
-- longer one by its first five letters (the matcher checks the rest).
with wanted as (
    select unnest($exact::varchar[]) as term, false as by_head
    union all
    select unnest($heads::varchar[]), true
),
docs as (
    select d.doc_no, d.article_id
    from search_docs as d
    where d.article_id in (select unnest($ids::varchar[]))
)
select d.article_id, t.term
from search_terms as t
join docs as d using (doc_no)
where t.term in (select term from wanted where not by_head)
   or left(t.term, 5) in (select term from wanted where by_head);
