-- The pages waiting for another attempt whose time has come, oldest first.
select canonical_url, url, source, title, published_at, feed_text, feed_text_source, attempts,
       first_failed_at
from fetch_retries
where status = 'waiting'
  and next_attempt_at <= $now
order by next_attempt_at;
