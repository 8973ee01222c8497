-- Added with backfills: a signal about history is recorded but not delivered.
alter table signals add column if not exists suppressed varchar;   -- null, or why not delivered: backfill
alter table pipeline_runs add column if not exists backfill boolean default false; -- loaded as history
