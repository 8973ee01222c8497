-- An alert not sent because its story was alerted on the channel within the cooldown.
update alerts
set status = 'suppressed',
    updated_at = $now,
    last_error = $reason
where alert_id = $alert_id;
