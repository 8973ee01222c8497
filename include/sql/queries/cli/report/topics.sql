-- Articles per topic, most first.
select topic, count(*)
from article_topics
group by topic
order by 2 desc, 1;
