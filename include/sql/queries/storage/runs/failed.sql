-- A run failed (a task gave up, or its process died): it keeps what it stored, with the reason.
update pipeline_runs
set status = 'failed',
    last_error = $error,
    finished_at = $now
where run_id = $run_id
  and status in ('running', 'loaded');
