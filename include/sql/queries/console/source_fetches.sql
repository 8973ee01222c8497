-- What fetching knows per source: the feed's last check and last success, and the pages'.
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
       f.last_ok_at as feed_ok_at,
       p.page_ok_at,
       p.page_error,
       p.page_error_at
from feed_state as f
full join pages as p using (source);
