-- One row per ingest run (CLI or Airflow), with what it found and did.
create table if not exists pipeline_runs (
    run_id            varchar primary key,     -- Airflow run id or cli__<utc timestamp>__<suffix>
    trigger           varchar not null,        -- airflow | cli
    started_at        timestamptz not null,
    finished_at       timestamptz,
    status            varchar not null,        -- running | loaded | success | failed
    paths             varchar[],
    files_found       integer default 0,
    files_skipped     integer default 0,       -- unchanged since an earlier run
    documents         integer default 0,       -- records read from the files
    articles_new      integer default 0,
    articles_updated  integer default 0,
    articles_unchanged integer default 0,
    stories_new       integer default 0,
    errors            integer default 0,
    signals_new       integer default 0,
    alerts_queued     integer default 0,
    signals_done      boolean default false,   -- signal detection has covered this run
    last_error        varchar
);
