-- Remember the files this run read, so the next run skips them while unchanged.
insert into source_files
select path, size, mtime_ns, documents, errors, $run_id, $run_id, $now
from read_json($results, format = 'newline_delimited', columns = {
    path: 'varchar', size: 'bigint', mtime_ns: 'bigint', documents: 'integer', errors: 'integer'})
on conflict (path) do update set
    size = excluded.size,
    mtime_ns = excluded.mtime_ns,
    documents = excluded.documents,
    errors = excluded.errors,
    last_run_id = excluded.last_run_id,
    updated_at = excluded.updated_at;
