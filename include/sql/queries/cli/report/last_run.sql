-- The most recent run and what it did.
select run_id, made_by, status, files_found, files_skipped, articles_new, stories_new, errors,
       signals_new, alerts_queued, sources, sources_failed, deferred, last_error
from pipeline_runs
order by started_at desc
limit 1;
