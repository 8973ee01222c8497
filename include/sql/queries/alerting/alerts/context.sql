-- The signal behind one alert (a region spike's region with its name).
select s.signal_id, s.kind, s.topic, s.story_id, s.score, s.count_day, s.baseline, s.reason,
       s.day, s.region, coalesce(g.name, s.region) as region_name, s.watchlist,
       s.detail
from alerts as a
join signals as s using (signal_id)
left join regions as g on g.region = s.region
where a.alert_id = $alert_id;
