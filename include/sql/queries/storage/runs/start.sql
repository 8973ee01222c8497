-- A run begins (or a retried first task begins it again): it is running, owned by this process.
insert into pipeline_runs (run_id, trigger, made_by, owner, started_at, heartbeat_at, status, paths,
                           backfill, airflow_run_id)
values ($run_id, $trigger, $made_by, $owner, $now, $now, 'running', $paths, $backfill,
        $airflow_run_id)
on conflict (run_id) do update set
    owner = excluded.owner,
    heartbeat_at = excluded.heartbeat_at,
    backfill = excluded.backfill,
    airflow_run_id = coalesce(excluded.airflow_run_id, pipeline_runs.airflow_run_id),
    status = case when pipeline_runs.status = 'failed' then 'running' else pipeline_runs.status end,
    last_error = case when pipeline_runs.status = 'failed' then null else pipeline_runs.last_error end;
