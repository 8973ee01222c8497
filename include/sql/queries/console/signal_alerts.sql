-- The alerts queued for a set of signals, per channel, with their delivery state.
select a.signal_id, g.kind, g.topic, a.channel, a.status, a.attempts, a.last_error,
       a.created_at, a.sent_at
from alerts as a
join signals as g using (signal_id)
where list_contains($signal_ids, a.signal_id)
order by a.created_at, a.channel;
