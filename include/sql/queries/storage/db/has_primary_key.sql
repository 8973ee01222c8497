-- Whether a table still has a primary key (a migration that removes it runs while it does).
select count(*) > 0
from duckdb_constraints()
where table_name = $table and constraint_type = 'PRIMARY KEY';
