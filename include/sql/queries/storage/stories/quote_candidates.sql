-- Stored articles that may contain a short new article (a post quoting a story): those
-- holding at least 80% of its distinct word stems (quote_terms.sql: at least 8, common
-- ones left out); the caller then checks the wording itself. Within the dedup window of
-- the article's date, as story matches are. Postings are counted per document number,
-- only from $doc_floor on (quote_floor.sql: the first document the window can hold), and the
-- stored texts are read only for the documents that pass.
with short as (
    select article_id, published_at
    from incoming
    where state = 'new' and list_contains($ids::varchar[], article_id)
),
sizes as (select distinct article_id, n_terms from quote_terms),
hits as (  -- per stored document (a number: cheaper to group by than an id)
    select u.article_id, st.doc_no, count(*) as shared
    from quote_terms as u
    join search_terms as st on st.term = u.term and st.doc_no >= $doc_floor
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
