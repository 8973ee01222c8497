insert into search_vocab
select term, count(*)::integer
from search_stage
group by term;
