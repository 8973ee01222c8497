-- Record that the schema files with this $mark were applied (the previous mark goes).
delete from db_maintenance where task like 'schema %';
insert into db_maintenance (task, done_at) values ($mark, now());
