-- Record that this connection's closing checkpoint compacts the database.
insert into db_maintenance (task, done_at) values ('compact', now())
on conflict (task) do update set done_at = excluded.done_at;
