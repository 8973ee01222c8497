-- Stories among these already alerted on a channel since a time (the cooldown).
select distinct s.story_id
from alerts as a
join signals as s using (signal_id)
where a.channel = $channel
  and a.status = 'sent'
  and a.sent_at >= $since
  and s.story_id in (select unnest($stories::varchar[]));
