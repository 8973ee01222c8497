-- The DAG run's id as Airflow names it (its DAG is made_by), so the console can name the run
-- as Airflow does and link to it; null for runs of the command line.
alter table pipeline_runs add column if not exists airflow_run_id varchar;
