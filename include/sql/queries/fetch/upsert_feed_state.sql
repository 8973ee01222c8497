-- The feeds this run checked: their validators, body hash and outcome; last_ok_at moves only
-- on a successful check (no error, status below 400: a 304 counts).
insert into feed_state (source, url, etag, last_modified, content_hash, status, error, checked_at, last_ok_at)
select source, url, etag, last_modified, content_hash, status, error, checked_at,
       case when error is null and coalesce(status, 0) < 400 then checked_at end
from read_json($files, format = 'newline_delimited', columns = {
    source: 'varchar', url: 'varchar', etag: 'varchar', last_modified: 'varchar', content_hash: 'varchar',
    status: 'integer', error: 'varchar', checked_at: 'timestamptz'})
qualify row_number() over (partition by source order by checked_at desc) = 1
on conflict (source) do update set
    url = excluded.url, etag = excluded.etag, last_modified = excluded.last_modified,
    content_hash = excluded.content_hash, status = excluded.status, error = excluded.error,
    checked_at = excluded.checked_at,
    last_ok_at = coalesce(excluded.last_ok_at, feed_state.last_ok_at);
