-- Record this run's problems; the same problem met again bumps seen_count. A problem is
-- (origin, stage, reason): reason holds only words that are the same each time, and what
-- varies (a time, a measured size) is detail, which the latest run's replaces.
insert into ingest_errors (error_id, origin, stage, reason, detail, first_run_id, last_run_id,
                           first_seen_at, last_seen_at, seen_count)
select sha1(origin || '|' || stage || '|' || reason), origin, stage, reason, detail,
       $run_id, $run_id, $now, $now, 1
from read_json($errors, format = 'newline_delimited',
               columns = {origin: 'varchar', stage: 'varchar', reason: 'varchar', detail: 'varchar'})
qualify row_number() over (partition by origin, stage, reason) = 1
on conflict (error_id) do update set
    detail = excluded.detail,
    last_run_id = excluded.last_run_id,
    last_seen_at = excluded.last_seen_at,
    seen_count = ingest_errors.seen_count + 1;
