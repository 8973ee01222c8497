-- What the store stage wrote for one run.
select articles_new, articles_updated, articles_unchanged, stories_new, errors
from pipeline_runs
where run_id = $run_id;
