-- The briefs among $ids already queued (each is built once a day, not at every hourly check).
select signal_id from signals where signal_id in (select unnest($ids::varchar[]));
