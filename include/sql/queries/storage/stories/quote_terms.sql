-- The word stems of the short new texts the quote check looks for, in stored articles
-- (quote_candidates.sql) and in the chunk's earlier ones (quote_candidates_in_chunk.sql):
-- common stems (in more than 2% of articles, and over 100) are left out, and only texts
-- with 8 stems or more are looked for. n_terms: how many the text has.
create or replace temp table quote_terms as
with short as (
    select article_id, text
    from incoming
    where state = 'new' and list_contains($ids::varchar[], article_id)
),
stats as (select greatest(count(*), 1) as n from search_docs),
common as (
    select term from search_vocab group by term
    having sum(df) > greatest(0.02 * (select n from stats), 100)
),
terms as (
    select distinct s.article_id, search_stem(u.w) as term
    from short as s, unnest(search_words(s.text)) as u(w)
    where length(u.w) >= 3
),
useful as (
    select t.* from terms as t where t.term not in (select term from common)
)
select article_id, term, count(*) over (partition by article_id) as n_terms
from useful
qualify n_terms >= 8;
