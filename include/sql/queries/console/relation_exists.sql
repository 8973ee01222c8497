-- Whether the copy has this table or view, one count per kind (a copy published before an
-- upgrade may lack one until the next run publishes a new copy). Unlike
-- storage/db/table_exists it sees views too: story_regions is one.
select count(*) from duckdb_tables() where table_name = $relation
union all
select count(*) from duckdb_views() where view_name = $relation;
