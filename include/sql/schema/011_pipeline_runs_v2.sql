-- Added after the first release: who made a run, who is running it, and fetch outcomes.
alter table pipeline_runs add column if not exists made_by varchar;        -- news_ingest | newsmon ingest | ...
alter table pipeline_runs add column if not exists owner varchar;          -- host:pid:start of a CLI process, or airflow
alter table pipeline_runs add column if not exists heartbeat_at timestamptz; -- last stage that touched the database
alter table pipeline_runs add column if not exists sources integer default 0;
alter table pipeline_runs add column if not exists sources_failed integer default 0;
alter table pipeline_runs add column if not exists deferred integer default 0; -- links left for the next fetch cycle
