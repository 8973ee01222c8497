-- Whether a table exists (migrations run only while their old table does).
select count(*) > 0 from duckdb_tables() where table_name = $table;
