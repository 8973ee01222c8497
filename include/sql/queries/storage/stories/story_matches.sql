-- Near-duplicate matches of the new staged articles, compared inside DuckDB: the stored
-- stories' representatives, and the earlier new articles of this chunk, that share an LSH
-- band with one; only pairs whose estimated Jaccard similarity (the share of equal MinHash
-- values) reaches $threshold come back. `other` is a story id (stored) or an article id.
-- A stored story is a candidate only if published within $window_days of the article (when
-- both have a date): copies of a story run within days, so the candidates of an article do
-- not grow with years of stored news. Only the stories dated within the window of the
-- chunk's dated articles (a day wider each way: the window counts calendar days), or
-- undated, are joined to the bands at all, so the join's cost follows the window, not the
-- database (an undated new article takes every story it shares a band with).
with new_bands as (
    select article_id, seq, published_at, unnest(bands) as band_key
    from incoming
    where state = 'new'
),
span as (  -- the dated new articles' dates, widened by the window
    select min(published_at) - to_days($window_days::integer) - interval 1 day as lo,
           max(published_at) + to_days($window_days::integer) + interval 1 day as hi
    from new_bands
),
near as (
    -- the stored stories that can be in the window of one of the dated new articles
    select story_id, published_at
    from stories
    where published_at is null
       or published_at between (select lo from span) and (select hi from span)
),
pairs as (
    -- an undated new article meets every story it shares a band with
    select distinct nb.article_id, sb.story_id as other, true as stored
    from new_bands as nb
    join story_bands as sb using (band_key)
    left join near as st on st.story_id = sb.story_id
    where nb.published_at is null
       or (st.story_id is not null
           and (st.published_at is null
                or abs(date_diff('day', st.published_at, nb.published_at)) <= $window_days))
    union
    select distinct a.article_id, b.article_id as other, false as stored
    from new_bands as a
    join new_bands as b on a.band_key = b.band_key and b.seq < a.seq
),
scored as (
    select p.article_id, p.other, p.stored,
           list_count(list_filter(
               list_zip(n.signature, coalesce(ss.signature, o.signature)),
               lambda v: v[1] = v[2]
           )) / len(n.signature) as sim
    from pairs as p
    join incoming as n on n.article_id = p.article_id
    left join story_signatures as ss on p.stored and ss.story_id = p.other
    left join incoming as o on not p.stored and o.article_id = p.other
)
select article_id, other, stored, sim
from scored
where sim >= $threshold;
