-- How a live tag table ($live) was created, renamed to its twin ($twin) to build it beside
-- it, and the live table's indexes, to create again once the twin has its name.
select 'table' as kind,
       regexp_replace(sql, '^CREATE TABLE ' || $live || '\(', 'CREATE TABLE ' || $twin || '(')
from duckdb_tables()
where database_name = current_database() and schema_name = 'main' and table_name = $live
union all
select 'index' as kind, sql
from duckdb_indexes()
where database_name = current_database() and schema_name = 'main' and table_name = $live
  and sql is not null;
