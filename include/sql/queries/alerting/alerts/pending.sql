-- Alerts waiting to be sent, most prominent first within a channel: spikes, then stories
-- carried by more outlets, then higher scores; the oldest first among equals.
select a.channel, a.alert_id, s.story_id, s.kind
from alerts as a
join signals as s using (signal_id)
left join stories as st using (story_id)
where a.status = 'pending'
order by a.channel,
         s.kind in ('spike', 'region_spike') desc,
         coalesce(st.source_count, 0) desc,
         coalesce(s.score, 0) desc,
         a.created_at,
         a.alert_id;
