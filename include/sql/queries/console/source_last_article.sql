-- The last time each source brought a new article, over all time.
select source, max(first_seen_at) as last_article_at, count(*) as articles_total
from articles
where source is not null
group by source;
