-- The gazetteer's regions, by code (a renamed region takes its new name).
insert or replace into regions
select unnest($codes::varchar[]), unnest($names::varchar[]), unnest($statuses::varchar[]),
       unnest($types::varchar[]);
