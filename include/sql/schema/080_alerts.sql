-- The alert outbox: one row per signal per channel.
create table if not exists alerts (
    alert_id      varchar primary key,         -- <signal_id>|<channel>
    signal_id     varchar not null,
    channel       varchar not null,            -- log | slack | email
    status        varchar not null,            -- pending | sent | failed
    attempts      integer not null default 0,
    last_error    varchar,
    created_at    timestamptz not null,
    updated_at    timestamptz not null,
    sent_at       timestamptz
);
