-- The gazetteer's regions (ISO 3166-2 code, display name, russia | ukraine | claimed), kept
-- by the store stage from include/config/regions.yaml, so SQL can name them.
create table if not exists regions (
    region  varchar primary key,
    name    varchar not null,
    status  varchar,
    type    varchar
);
alter table signals add column if not exists region varchar;  -- region_spike: the region counted
