-- The countries topics are most often about, for the overview's country filter.
select country, count(*) as topics
from article_topics
where country is not null
group by country
order by topics desc, country
limit $limit;
