-- source_fetches on a copy made before feed_state kept last_ok_at (until the next run publishes):
-- the last check counts as the last success only when it succeeded.
with pages as (
    select source,
           max(fetched_at) filter (where error is null) as page_ok_at,
           arg_max(error, fetched_at) filter (where error is not null) as page_error,
           max(fetched_at) filter (where error is not null) as page_error_at
    from fetched_urls
    where source is not null
    group by source
)
select coalesce(f.source, p.source) as source,
       f.url as feed_url,
       f.checked_at,
       f.status,
       f.error as feed_error,
       case when f.error is null and coalesce(f.status, 0) < 400 then f.checked_at end as feed_ok_at,
       p.page_ok_at,
       p.page_error,
       p.page_error_at
from feed_state as f
full join pages as p using (source);
