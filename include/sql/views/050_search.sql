-- search_articles('мобилизация студентов'): articles ranked by BM25 (k1 1.2, b 0.75) over
-- the stemmed words of title (counted twice) and text. A query word matches index terms with
-- its stem (weight 1) or sharing all but the stem's last two letters, at least five
-- (weight 0.7); each query word counts once per article, by its best match.
create or replace macro search_articles(q) as table
with stats as (
    select count(*) as n, avg(doc_len) as avgdl from search_docs
),
qstems as (
    select distinct search_stem(w) as stem
    from (select unnest(search_words(q)) as w)
    where length(w) >= 3
),
qprefix as (
    select stem,
           case when length(stem) > 5 then left(stem, greatest(5, length(stem) - 2)) else stem end as prefix
    from qstems
),
vocab as (
    select v.term, sum(v.df) as df
    from search_vocab as v
    where exists (select 1 from qprefix as q where starts_with(v.term, q.prefix))
    group by v.term
    having sum(v.df) > 0
),
matched as (
    select q.stem as qstem, v.term, v.df, case when v.term = q.stem then 1.0 else 0.7 end as w
    from qprefix as q
    join vocab as v on starts_with(v.term, q.prefix)
),
per_word as (
    select t.doc_no, m.qstem,
           max(m.w * ln(1 + (st.n - m.df + 0.5) / (m.df + 0.5))
               * t.tf * 2.2 / (t.tf + 1.2 * (0.25 + 0.75 * d.doc_len / st.avgdl))) as score
    from matched as m
    join search_terms as t using (term)
    join search_docs as d using (doc_no)
    cross join stats as st
    group by t.doc_no, m.qstem
)
select d.article_id, sum(p.score) as score, count(*)::integer as words_matched
from per_word as p
join search_docs as d using (doc_no)
group by d.article_id;
