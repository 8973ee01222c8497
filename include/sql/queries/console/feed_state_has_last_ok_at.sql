-- Whether the copy's feed_state keeps last_ok_at (1) or was published before it did (0):
-- the sources page then reads source_fetches_before_v120 instead of source_fetches.
select count(*)
from duckdb_columns()
where table_name = 'feed_state' and column_name = 'last_ok_at';
