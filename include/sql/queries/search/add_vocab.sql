insert into search_vocab
select term, count(*)::integer
from search_stage
group by term
on conflict (term) do update set df = search_vocab.df + excluded.df;
