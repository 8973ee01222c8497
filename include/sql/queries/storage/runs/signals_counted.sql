-- What the detecting run raised.
update pipeline_runs
set signals_new = $signals_new,
    alerts_queued = $alerts_queued
where run_id = $run_id;
