-- The watched countries from the settings (watch.countries; see schema/170_watch.sql).
delete from watch_countries;
insert into watch_countries select distinct unnest($countries::varchar[]);
