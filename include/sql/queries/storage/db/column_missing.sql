-- Whether a column is missing ($table is 'table.column'): a migration that adds it runs while it is.
select count(*) = 0
from duckdb_columns()
where table_name = split_part($table, '.', 1) and column_name = split_part($table, '.', 2);
