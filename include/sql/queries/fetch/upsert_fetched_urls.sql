-- The pages this run downloaded (or failed to); a retried page counts its attempts.
insert into fetched_urls
select canonical_url, url, final_url, source, status, content_hash, raw_path, error, fetched_at, 1
from read_json($files, format = 'newline_delimited', columns = {
    canonical_url: 'varchar', url: 'varchar', final_url: 'varchar', source: 'varchar', status: 'integer',
    content_hash: 'varchar', raw_path: 'varchar', error: 'varchar', fetched_at: 'timestamptz'})
qualify row_number() over (partition by canonical_url order by fetched_at desc) = 1
on conflict (canonical_url) do update set
    url = excluded.url, final_url = excluded.final_url, source = excluded.source, status = excluded.status,
    content_hash = excluded.content_hash, raw_path = excluded.raw_path, error = excluded.error,
    fetched_at = excluded.fetched_at, attempts = fetched_urls.attempts + 1;
