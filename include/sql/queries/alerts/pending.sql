-- Alerts waiting to be sent, oldest first, with their story.
select a.channel, a.alert_id, s.story_id
from alerts as a
join signals as s using (signal_id)
where a.status = 'pending'
order by a.created_at, a.alert_id;
