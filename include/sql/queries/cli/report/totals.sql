-- What the database holds.
select (select count(*) from articles) as articles,
       (select count(*) from stories) as stories,
       (select count(*) from signals) as signals,
       (select count(*) from ingest_errors) as ingest_errors;
