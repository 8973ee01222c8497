-- Stored articles that may contain a short new article (a post quoting a story): those
-- holding at least 80% of its distinct word stems, and at least 8 of them. Common stems
-- (in more than 2% of articles, and over 100) are left out of the comparison; the caller then checks the
-- wording itself. Within the dedup window of the article's date, as story matches are.
-- Postings are counted per document number, only for texts with 8 stems or more and only
-- from $doc_floor on (quote_floor.sql: the first document the window can hold), and the
-- stored texts are read only for the documents that pass.
with short as (
    select article_id, title, text, published_at
    from stage
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
),
sizes as (
    select article_id, count(*) as n_terms from useful group by article_id having count(*) >= 8
),
hits as (  -- per stored document (a number: cheaper to group by than an id)
    select u.article_id, st.doc_no, count(*) as shared
    from useful as u
    join search_terms as st on st.term = u.term and st.doc_no >= $doc_floor
    where u.article_id in (select article_id from sizes)
    group by all
),
passing as materialized (  -- before any text is read: the few that hold 80% of the stems
    select h.article_id, d.article_id as other, h.shared, z.n_terms
    from hits as h
    join sizes as z using (article_id)
    join search_docs as d using (doc_no)
    where h.shared >= 0.8 * z.n_terms
),
best as materialized (  -- in the window; the 50 best per short text (a limit on the whole
    -- chunk would starve its last texts)
    select p.article_id, p.other, a.story_id, p.shared, p.n_terms
    from passing as p
    join articles as a on a.article_id = p.other
    join short as s on s.article_id = p.article_id
    where s.published_at is null or a.published_at is null
       or abs(date_diff('day', s.published_at, a.published_at)) <= $window_days
    qualify row_number() over (partition by p.article_id order by p.shared desc, p.other) <= 50
)
select b.article_id, b.story_id, a.text, b.shared, b.n_terms  -- texts read last, for these only
from best as b
join articles as a on a.article_id = b.other
order by b.article_id, b.shared desc, b.other;
