-- The other outlets that carried a story.
select distinct coalesce(source, canonical_url, origin)
from articles
where story_id = $story_id
  and article_id <> $article_id
  and coalesce(source, '') <> coalesce($source, '')
order by 1;
