-- The topic evidence of every copy of a story: the rule (term), the field, the offsets into
-- the copy's title or text, and the weight the match added; the country the topic is about
-- with its evidence (columns a copy published before countries lacks); with the text to
-- highlight in.
select t.* exclude (taxonomy_version, tagged_at), a.source, a.title, a.text
from article_topics as t
join articles as a using (article_id)
where a.story_id = $story_id
  and ($topic is null or t.topic = $topic)
order by t.topic, t.score desc, t.article_id;
