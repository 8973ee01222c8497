-- Pages not to download from a feed again: fetched (also when their extraction failed or
-- crashed: `newsmon reextract` redoes it from the raw page), refused for good (4xx other than
-- 429, not an article, robots.txt), or in the retry queue (tried there, when due, or given up).
select canonical_url
from fetched_urls
where error is null
   or (status between 200 and 299 and content_hash is not null)
   or (status between 400 and 499 and status <> 429)
   or error like 'not an article%'
   or error like 'disallowed by robots%'
union
select canonical_url
from fetch_retries;
