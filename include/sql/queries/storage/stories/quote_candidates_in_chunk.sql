-- Earlier new articles of the chunk being stored that may contain a short new article (a
-- post quoting one): as quote_candidates.sql finds them among stored articles (the short
-- texts' stems: quote_terms.sql), from the word stems the read stage counted for each
-- earlier article (incoming.index_terms), so a post and the article it quotes that arrive in
-- one run join one story, as they do when they arrive in two. Earlier in run order only (a story is assigned in that order), within the dedup
-- window of each other's dates; the 50 best per short text, with their texts.
with short as (
    select article_id, seq, published_at
    from incoming
    where state = 'new' and list_contains($ids::varchar[], article_id)
),
sizes as (select distinct article_id, n_terms from quote_terms),
earlier as (
    select article_id as other, seq, published_at,
           unnest(string_split(index_terms, ' ')) as term
    from incoming
    where state = 'new' and coalesce(index_terms, '') <> ''
),
hits as (
    select u.article_id, e.other, count(*) as shared
    from quote_terms as u
    join short as s using (article_id)
    join earlier as e on e.term = u.term and e.seq < s.seq
    where s.published_at is null or e.published_at is null
       or abs(date_diff('day', s.published_at, e.published_at)) <= $window_days
    group by all
),
best as (
    select h.article_id, h.other, h.shared
    from hits as h
    join sizes as z using (article_id)
    where h.shared >= 0.8 * z.n_terms
    qualify row_number() over (partition by h.article_id order by h.shared desc, h.other) <= 50
)
select b.article_id, b.other, st.text
from best as b
join incoming as st on st.article_id = b.other
order by b.article_id, b.shared desc, b.other;
