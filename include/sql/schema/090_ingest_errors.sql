-- Every input that could not be used, with a plain reason. One row per (origin, stage, reason);
-- a rerun that meets the same problem bumps seen_count instead of adding a row.
create table if not exists ingest_errors (
    error_id      varchar primary key,         -- sha1 of origin|stage|reason
    origin        varchar not null,            -- file path, #L<line> for a JSON Lines record, or URL
    stage         varchar not null,            -- discover | read | parse | clean | load
    reason        varchar not null,
    first_run_id  varchar not null,
    last_run_id   varchar not null,
    first_seen_at timestamptz not null,
    last_seen_at  timestamptz not null,
    seen_count    integer not null default 1
);
