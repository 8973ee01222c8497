-- A stage of a running run touched the database; its owner is the current process.
update pipeline_runs
set heartbeat_at = $now,
    owner = $owner
where run_id = $run_id;
