-- What discovery found.
update pipeline_runs
set files_found = $files_found,
    files_skipped = $files_skipped
where run_id = $run_id;
