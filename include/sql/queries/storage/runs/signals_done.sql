-- Signal detection covered these runs: loaded ones are now a success, failed ones stay failed.
update pipeline_runs
set signals_done = true,
    status = case when status = 'loaded' then 'success' else status end,
    finished_at = coalesce(finished_at, $now)
where run_id in (select unnest($runs::varchar[]));
