-- The run that raised a signal (every column, so a copy made before a column existed reads too).
select *
from pipeline_runs
where run_id = $run_id;
