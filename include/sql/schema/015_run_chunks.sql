-- Staging chunks of a run already written, so a retried load resumes where it stopped.
create table if not exists run_chunks (
    run_id              varchar not null,
    chunk               integer not null,
    articles_new        integer not null,
    articles_updated    integer not null,
    articles_unchanged  integer not null,
    stories_new         integer not null,
    loaded_at           timestamptz not null,
    primary key (run_id, chunk)
);
