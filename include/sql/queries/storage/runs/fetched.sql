-- How the fetch cycle went: sources tried, sources that failed, links left for the next cycle.
update pipeline_runs
set sources = $sources,
    sources_failed = $sources_failed,
    deferred = $deferred,
    last_error = $last_error
where run_id = $run_id;
