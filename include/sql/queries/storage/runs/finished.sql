-- Runs whose staging folders are no longer needed.
select run_id
from pipeline_runs
where status in ('success', 'failed');
