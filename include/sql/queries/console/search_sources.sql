-- The 500 outlets with the most articles, for the search page's filter (the page sorts them
-- by name).
select source
from articles
where source is not null
group by 1
order by count(*) desc, 1
limit 500;
