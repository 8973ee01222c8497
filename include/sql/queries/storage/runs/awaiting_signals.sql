-- Runs that stored what they could (loaded, finished or failed) and whose signals are not raised yet.
select run_id
from pipeline_runs
where not signals_done
  and status <> 'running';
