-- New staged articles that link to another article (a Telegram post pointing at the story it
-- quotes): the linked article's stored story, or the linked article itself when it is new in
-- this run. Such a link groups them as surely as identical text.
with links as (
    select s.article_id, u.link
    from incoming as s, unnest(s.links) as u(link)
    where s.state = 'new' and len(s.links) > 0
)
select l.article_id, a.story_id as other, true as stored
from links as l
join articles as a on a.canonical_url = l.link
union all
select l.article_id, t.article_id as other, false as stored
from links as l
join incoming as t on t.canonical_url = l.link and t.state = 'new' and t.article_id <> l.article_id;
