-- robots.txt files fetched since a time (reused for 24 hours).
select origin, status, body
from robots_cache
where fetched_at >= $since;
