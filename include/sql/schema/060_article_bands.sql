-- MinHash signature and LSH band keys per article, for near-duplicate lookups across runs.
create table if not exists article_signatures (
    article_id  varchar primary key,
    signature   uinteger[] not null
);
create table if not exists article_bands (
    band_key    bigint not null,
    article_id  varchar not null
);
