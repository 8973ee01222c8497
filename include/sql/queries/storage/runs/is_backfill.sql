-- Whether a run was started as a backfill.
select coalesce(backfill, false) from pipeline_runs where run_id = $run_id;
