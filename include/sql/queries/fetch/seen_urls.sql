-- Pages not to download again: fetched, or refused for good (4xx other than 429, not an article).
select canonical_url
from fetched_urls
where error is null
   or (status between 400 and 499 and status <> 429)
   or error like 'not an article%'
   or error like 'disallowed by robots%';
