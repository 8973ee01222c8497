-- Earlier new articles of the chunk being stored that may contain a short new article (a
-- post quoting one): as quote_candidates.sql finds them among stored articles (the short
-- texts' stems: quote_terms.sql), from the word stems the read stage counted for each
-- earlier article (incoming.index_terms), so a post and the article it quotes that arrive in
-- one run join one story, as they do when they arrive in two. Earlier in run order only (a
-- story is assigned in that order), within the dedup window of each other's dates; the 50
-- best per short text, with their texts.
--
-- Stems common in the chunk (in more than 2% of its new articles, and over 100) are left
-- out as quote_terms.sql leaves out those common in the stored articles, and only texts
-- with 8 stems or more left are looked for. Then prefix filtering (as set-similarity joins
-- do): an article that holds 80% of a short text's n stems holds at least one of any
-- floor(0.2 n) + 1 of them, so pairs are first looked for through each text's rarest stems
-- in the chunk only, and their shared stems counted for those pairs. Joining every stem (a
-- chunk of 5,000 short feed items on a fresh database, where no stem is known as common
-- yet) paired nearly every item with every other and ran out of DuckDB's 256 MB.
with short as (
    select article_id, seq, published_at
    from incoming
    where state = 'new' and list_contains($ids::varchar[], article_id)
),
earlier as materialized (
    select article_id as other, seq, published_at,
           unnest(string_split(index_terms, ' ')) as term
    from incoming
    where state = 'new' and coalesce(index_terms, '') <> ''
),
df as (select term, count(*) as df from earlier group by term),
useful as materialized (  -- the short texts' stems, less those common in the chunk
    select u.article_id, u.term, coalesce(df.df, 0) as df,
           count(*) over (partition by u.article_id) as n_terms
    from quote_terms as u
    left join df using (term)
    where coalesce(df.df, 0)
          <= greatest(0.02 * (select count(distinct other) from earlier), 100)
    qualify n_terms >= 8
),
sizes as (select distinct article_id, n_terms from useful),
prefix as (  -- each short text's floor(0.2 n) + 1 rarest stems in the chunk
    select article_id, term
    from useful
    qualify row_number() over (partition by article_id order by df, term)
            <= floor(0.2 * n_terms) + 1
),
pairs as (
    select distinct p.article_id, e.other
    from prefix as p
    join short as s using (article_id)
    join earlier as e on e.term = p.term and e.seq < s.seq
    where s.published_at is null or e.published_at is null
       or abs(date_diff('day', s.published_at, e.published_at)) <= $window_days
),
hits as (
    select pr.article_id, pr.other, count(*) as shared
    from pairs as pr
    join useful as u using (article_id)
    join earlier as e on e.other = pr.other and e.term = u.term
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
