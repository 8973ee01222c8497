-- One alert per new signal per configured channel: pending, or for a signal about history
-- (suppressed = 'backfill') recorded as suppressed with the reason, never delivered.
insert into alerts (alert_id, signal_id, channel, status, attempts, last_error, created_at,
                    updated_at)
select sig.signal_id || '|' || ch.channel, sig.signal_id, ch.channel,
       if(sig.suppressed is null, 'pending', 'suppressed'),
       0,
       case
           when sig.suppressed is null then null
           when st.published_at is not null and not coalesce(r.backfill, false)
               then 'backfill: story published ' || strftime(st.published_at, '%Y-%m-%d')
                    || ', before the ' || $recent_days || '-day window for alerts'
           else 'backfill: loaded by a backfill run (history is recorded, not alerted)'
       end,
       $now, $now
from signals as sig
left join stories as st using (story_id)
left join pipeline_runs as r on r.run_id = st.first_run_id
cross join (select unnest($channels::varchar[]) as channel) as ch
where sig.signal_id in (select unnest($signals::varchar[]))
on conflict do nothing
returning alert_id, status;
