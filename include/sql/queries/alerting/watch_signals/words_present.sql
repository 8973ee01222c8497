-- The word test, for one chunk of candidates ($ids): each article and alternative of a
-- watchlist that has every word it needs among the article's index terms (a short stem
-- exactly, a longer one by its prefix), with the terms that matched; exclusions and
-- phrases are left to the matcher.
with terms as (
    select d.article_id, t.term
    from search_terms as t
    join search_docs as d using (doc_no)
    where d.article_id in (select unnest($ids::varchar[]))
),
present as (
    select t.article_id, w.wl, w.alt, w.word, t.term
    from terms as t
    join watch_words as w on w.head = left(t.term, 5)
    where if(w.exact, t.term = w.stem, starts_with(t.term, w.prefix))
)
select p.article_id, p.wl, p.alt, list(distinct p.term order by p.term) as terms
from present as p
join watch_alts as a using (wl, alt)
group by p.article_id, p.wl, p.alt, a.needed
having count(distinct p.word) = a.needed;
