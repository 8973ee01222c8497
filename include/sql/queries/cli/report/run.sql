-- One run's record.
select run_id, made_by, status, sources, sources_failed, deferred, last_error
from pipeline_runs
where run_id = $run_id;
