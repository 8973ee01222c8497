-- Changed articles are indexed afresh: their old terms go, and leave the vocabulary.
update search_vocab
set df = search_vocab.df - gone.n
from (
    select t.term, count(*) as n
    from search_terms as t
    join search_docs as d using (doc_no)
    where d.article_id in (select article_id from stage where state = 'changed')
    group by t.term
) as gone
where search_vocab.term = gone.term;
