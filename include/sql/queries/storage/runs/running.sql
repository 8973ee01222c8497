-- Runs still marked running, for the stale-run check.
select run_id, owner, coalesce(heartbeat_at, started_at) as heartbeat_at
from pipeline_runs
where status = 'running';
