-- Articles per assigned topic.
select topic, count(*)
from article_topics
group by topic;
