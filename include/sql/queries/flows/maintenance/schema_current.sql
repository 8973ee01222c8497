-- Whether the database was last brought up to the schema files with this $mark
-- ('schema <hash of include/sql/schema and views>').
select count(*) > 0
from db_maintenance
where task = $mark;
