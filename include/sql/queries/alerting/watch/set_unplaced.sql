-- Whether topics whose text names no country are in scope (watch.unplaced).
delete from watch_settings;
insert into watch_settings values ($unplaced);
