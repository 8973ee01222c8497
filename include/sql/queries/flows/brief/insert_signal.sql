-- One brief per scope and local day (brief:general:<day> or brief:watch/<name>:<day>): a
-- rerun the same day inserts nothing, so nothing is queued twice.
insert into signals (signal_id, kind, topic, day, reason, run_id, created_at, watchlist, detail)
values ($signal_id, 'brief', '', $day, $reason, $run_id, $now, $watchlist, $detail)
on conflict do nothing
returning signal_id;
