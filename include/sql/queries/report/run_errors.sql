-- The problems one run met.
select origin, stage, reason
from ingest_errors
where last_run_id = $run_id
order by origin, stage;
