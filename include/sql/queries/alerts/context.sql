-- The signal behind one alert.
select s.signal_id, s.kind, s.topic, s.story_id, s.score, s.count_day, s.baseline, s.reason
from alerts as a
join signals as s using (signal_id)
where a.alert_id = $alert_id;
