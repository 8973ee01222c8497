insert into search_vocab
select term, count(*)::integer
from incoming_terms
group by term;
