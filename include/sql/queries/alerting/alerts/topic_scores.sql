-- An article's topics with their scores and evidence, best first.
select topic, score, evidence
from article_topics
where article_id = $article_id
order by score desc;
