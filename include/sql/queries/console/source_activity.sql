-- Per source (outlet) over the $window_days before $now: new articles, the moments new
-- articles arrived (to the minute: one run brings many at once), the last one, and the
-- 90th percentile of the gaps between those moments, its usual longest wait.
with recent as (
    select source, first_seen_at
    from articles
    where source is not null
      and first_seen_at >= $now - to_days(cast($window_days as integer))
      and first_seen_at <= $now
),
moments as (
    select distinct source, date_trunc('minute', first_seen_at) as arrived_at
    from recent
),
gaps as (
    select source, arrived_at,
           epoch(arrived_at) - epoch(lag(arrived_at) over (partition by source order by arrived_at)) as gap_seconds
    from moments
),
counts as (
    select source, count(*) as articles from recent group by source
)
select g.source,
       any_value(c.articles) as articles,
       count(*) as arrivals,
       max(g.arrived_at) as last_arrival,
       quantile_cont(g.gap_seconds, 0.9) as usual_gap_seconds
from gaps as g
join counts as c using (source)
group by g.source;
