-- Index the staged new and changed articles: their words, stemmed once per distinct word.
create or replace temp table search_stage as
with words as (
    select s.article_id,
           unnest(search_words(coalesce(s.title, '') || ' ' || coalesce(s.title, '') || ' ' || s.text)) as word
    from stage as s
    where s.state in ('new', 'changed')
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
group by all;
