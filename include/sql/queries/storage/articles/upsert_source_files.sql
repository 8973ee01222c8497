-- Remember the files this run read (a JSON Lines file may have been read in several ranges),
-- so the next run skips them while unchanged and reads only what was appended to them. A JSON
-- Lines file one of whose ranges could not be read is not remembered: it is read again.
with parts as (
    select *
    from read_json($results, format = 'newline_delimited', columns = {
        path: 'varchar', size: 'bigint', mtime_ns: 'bigint', documents: 'integer',
        errors: 'integer', start: 'bigint', read_bytes: 'bigint', read_lines: 'bigint',
        head: 'varchar', head_bytes: 'integer', failed: 'boolean'})
),
files as (
    select path, any_value(size) as size, any_value(mtime_ns) as mtime_ns,
           sum(documents) as documents, sum(errors) as errors, min(start) > 0 as appended,
           max(read_bytes) as read_bytes, max(read_lines) as read_lines,
           any_value(head) as head, any_value(head_bytes) as head_bytes
    from parts
    group by path
    having not bool_or(coalesce(failed, false))
)
insert into source_files (path, size, mtime_ns, documents, errors, first_run_id, last_run_id,
                          updated_at, read_bytes, read_lines, head, head_bytes)
select f.path, f.size, f.mtime_ns,
       f.documents + if(f.appended, coalesce(s.documents, 0), 0),
       f.errors + if(f.appended, coalesce(s.errors, 0), 0),
       $run_id, $run_id, $now, f.read_bytes, f.read_lines, f.head, f.head_bytes
from files as f
left join source_files as s using (path)
on conflict (path) do update set
    size = excluded.size,
    mtime_ns = excluded.mtime_ns,
    documents = excluded.documents,
    errors = excluded.errors,
    last_run_id = excluded.last_run_id,
    updated_at = excluded.updated_at,
    read_bytes = excluded.read_bytes,
    read_lines = excluded.read_lines,
    head = excluded.head,
    head_bytes = excluded.head_bytes;
