-- The assigned topics of the candidates, with the country each is about.
select t.article_id, t.topic, t.score, t.country
from article_topics as t
semi join watch_candidates as c using (article_id);
