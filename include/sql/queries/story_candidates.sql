-- Stored articles sharing at least one LSH band with a new staged article.
with new_bands as (
    select article_id as new_id, unnest(bands) as band_key
    from stage
    where state = 'new'
)
select distinct nb.new_id, ab.article_id as old_id, a.story_id, s.signature
from new_bands as nb
join article_bands as ab using (band_key)
join articles as a on a.article_id = ab.article_id
join article_signatures as s on s.article_id = ab.article_id;
