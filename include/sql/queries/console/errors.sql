-- The most recent ingest errors, newest first.
select origin, stage, reason, seen_count, first_seen_at, last_seen_at
from ingest_errors
where $stage is null or stage = $stage
order by last_seen_at desc, origin
limit $limit;
