-- One pending alert per new signal per configured channel.
insert into alerts (alert_id, signal_id, channel, status, attempts, created_at, updated_at)
select sig.signal_id || '|' || ch.channel, sig.signal_id, ch.channel, 'pending', 0, $now, $now
from (select unnest($signals::varchar[]) as signal_id) as sig,
     (select unnest($channels::varchar[]) as channel) as ch
on conflict do nothing
returning alert_id;
