-- robots.txt files fetched by this run.
insert into robots_cache
select origin, status, body, fetched_at
from read_json($files, format = 'newline_delimited', columns = {
    origin: 'varchar', status: 'integer', body: 'varchar', fetched_at: 'timestamptz'})
qualify row_number() over (partition by origin order by fetched_at desc) = 1
on conflict (origin) do update set
    status = excluded.status, body = excluded.body, fetched_at = excluded.fetched_at;
