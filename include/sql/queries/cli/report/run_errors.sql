-- The first $limit problems one run met, in file order (a JSON Lines file's records by line
-- number, not as text: #L9 before #L10).
select origin, stage, reason, detail
from ingest_errors
where last_run_id = $run_id
order by
    regexp_replace(origin, '#L[0-9]+$', ''),
    try_cast(regexp_extract(origin, '#L([0-9]+)$', 1) as bigint) nulls first,
    origin,
    stage
limit $limit;
