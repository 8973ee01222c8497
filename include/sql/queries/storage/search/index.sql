-- Index the staged new and changed articles: the terms the read stage counted
-- (newsmon.terms.index_terms), else their words, stemmed once per distinct word. Both count
-- the same: words of at least three letters of the title (twice) and the text.
create or replace temp table incoming_terms as
with todo as (
    select article_id, title, text, index_terms, index_tfs
    from incoming
    where state in ('new', 'changed')
),
counted as (  -- two lines of space-separated values, in the same order
    select article_id,
           unnest(string_split(index_terms, ' ')) as term,
           unnest(string_split(index_tfs, ' ')) as tf
    from todo
    where index_terms is not null and index_terms <> ''
),
words as (
    select article_id,
           unnest(search_words(coalesce(title, '') || ' ' || coalesce(title, '') || ' ' || text)) as word
    from todo
    where index_terms is null
),
kept as (
    select article_id, word from words where length(word) >= 3
),
stems as (
    select word, search_stem(word) as term
    from (select distinct word from kept)
)
select k.article_id, st.term, count(*)::integer as tf
from kept as k
join stems as st using (word)
group by all
union all
select article_id, term, tf::integer
from counted;
