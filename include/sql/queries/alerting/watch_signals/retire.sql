-- Watchlists no longer in the file: kept with their matches, marked removed.
update watchlists
set removed_at = $now, changed_at = $now
where removed_at is null
  and name not in (select unnest($names::varchar[]));
