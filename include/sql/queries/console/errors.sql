-- The most recent ingest errors, newest first (every column: a copy published before
-- ingest_errors had detail has none, and the page shows none).
select *
from ingest_errors
where $stage is null or stage = $stage
order by last_seen_at desc, origin
limit $limit;
