-- A failed attempt; after max_attempts the alerts are failed for good. Returns those.
update alerts
set attempts = attempts + 1,
    last_error = $error,
    updated_at = $now,
    status = case when attempts + 1 >= $max_attempts then 'failed' else 'pending' end
where alert_id in (select unnest($ids::varchar[]))
  and status = 'pending'
returning alert_id, status;
