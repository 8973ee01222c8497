-- The languages articles are in, for the search page's filter.
select distinct lang
from articles
where lang is not null
order by 1;
