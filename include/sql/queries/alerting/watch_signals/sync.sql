-- The watchlists as read from the file now: new ones added, known ones updated (changed_at
-- moves only when the definition or the error does), none of them removed.
insert into watchlists (name, definition, fingerprint, error, channels, schedule, loaded_at,
                        changed_at, removed_at)
select w.name, w.definition, w.fingerprint, w.error, w.channels, w.schedule, $now, $now, null
from (
    select unnest($names::varchar[]) as name,
           unnest($definitions::varchar[]) as definition,
           unnest($fingerprints::varchar[]) as fingerprint,
           unnest($errors::varchar[]) as error,
           unnest($channels::varchar[][]) as channels,
           unnest($schedules::varchar[]) as schedule
) as w
on conflict (name) do update set
    changed_at = if(definition is distinct from excluded.definition
                    or error is distinct from excluded.error
                    or removed_at is not null, excluded.changed_at, changed_at),
    definition = excluded.definition,
    fingerprint = excluded.fingerprint,
    error = excluded.error,
    channels = excluded.channels,
    schedule = excluded.schedule,
    loaded_at = excluded.loaded_at,
    removed_at = null;
