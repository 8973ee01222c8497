-- The run's totals from its loaded chunks; the run is now 'loaded' and will not load again.
-- signals_done goes back to false so that a run loaded again after a failure gets its signals.
update pipeline_runs
set status = 'loaded',
    signals_done = false,
    heartbeat_at = $now,
    documents = $documents,
    errors = $errors,
    articles_new = coalesce(c.articles_new, 0),
    articles_updated = coalesce(c.articles_updated, 0),
    articles_unchanged = coalesce(c.articles_unchanged, 0),
    stories_new = coalesce(c.stories_new, 0)
from (
    select sum(articles_new) as articles_new, sum(articles_updated) as articles_updated,
           sum(articles_unchanged) as articles_unchanged, sum(stories_new) as stories_new
    from run_chunks
    where run_id = $run_id
) as c
where pipeline_runs.run_id = $run_id;
