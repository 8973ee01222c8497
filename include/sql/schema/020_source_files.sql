-- Input files already read, so a rerun skips what has not changed (path, size, mtime).
create table if not exists source_files (
    path          varchar primary key,
    size          bigint not null,
    mtime_ns      bigint not null,
    documents     integer not null,
    errors        integer not null,
    first_run_id  varchar not null,
    last_run_id   varchar not null,
    updated_at    timestamptz not null
);
