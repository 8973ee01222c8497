-- One run's status, if it exists.
select status
from pipeline_runs
where run_id = $run_id;
