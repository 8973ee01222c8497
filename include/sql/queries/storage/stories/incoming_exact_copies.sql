-- The story of the first stored article with the same text as a new staged article.
select distinct on (a.content_hash) a.content_hash, a.story_id
from articles as a
join incoming as s using (content_hash)
where s.state = 'new'
order by a.content_hash, a.first_seen_at;
