-- One signal, whatever its kind.
select signal_id, kind, topic, story_id, day, score, count_day, baseline, reason, run_id,
       created_at, suppressed
from signals
where signal_id = $signal_id;
