-- The scope of the watch (settings watch.countries and watch.unplaced), written by the writer
-- before it raises signals, so the views, the console and every analyst query see the same
-- scope the signals use (macro in_watch). A new database starts with Russia.
create table if not exists watch_countries (code varchar primary key);
create table if not exists watch_settings (unplaced boolean not null);
insert into watch_countries select 'RU' where not exists (select 1 from watch_countries);
insert into watch_settings select false where not exists (select 1 from watch_settings);
-- A spike compares a topic's share of the day's stories with its share over the baseline
-- window: the share of that day, the baseline share, and all stories of that day.
alter table signals add column if not exists share_day double;
alter table signals add column if not exists share_baseline double;
alter table signals add column if not exists day_stories integer;
