-- The remote side accepted these alerts.
update alerts
set attempts = attempts + 1,
    status = 'sent',
    sent_at = $now,
    updated_at = $now,
    last_error = null
where alert_id in (select unnest($ids::varchar[]))
  and status = 'pending';
