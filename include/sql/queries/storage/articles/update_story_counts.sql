-- Counts and dates of every story the staged chunk touched.
update stories
set article_count = agg.article_count,
    source_count = agg.source_count,
    published_at = agg.published_at,
    last_seen_at = $now
from (
    select story_id,
           count(*) as article_count,
           count(distinct coalesce(source, canonical_url, origin)) as source_count,
           min(published_at) as published_at
    from articles
    where story_id in (
        select a.story_id from articles as a join incoming as s using (article_id)
    )
    group by story_id
) as agg
where stories.story_id = agg.story_id;
