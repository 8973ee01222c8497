-- What this run's attempts at queued pages came to: a page that failed again waits longer or
-- is given up ('waiting' | 'gave_up'); one that was fetched, or refused for good, leaves the
-- queue ('done').
insert or replace into fetch_retries
select canonical_url, url, source, title, published_at, feed_text, feed_text_source, attempts,
       first_failed_at, next_attempt_at, last_error, status
from read_json($files, format = 'newline_delimited', columns = {
    canonical_url: 'varchar', url: 'varchar', source: 'varchar', title: 'varchar',
    published_at: 'timestamptz', feed_text: 'varchar', feed_text_source: 'varchar',
    attempts: 'integer', first_failed_at: 'timestamptz', next_attempt_at: 'timestamptz',
    last_error: 'varchar', status: 'varchar'})
where status <> 'done'
qualify row_number() over (partition by canonical_url order by attempts desc) = 1;
