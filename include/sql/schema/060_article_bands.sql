-- One representative per story (the article that started it): its MinHash signature and
-- LSH band keys. A new article is compared with these only, so the work per new article
-- grows with the stories that share a band with it, not with every stored copy.
create table if not exists story_signatures (
    story_id    varchar not null,           -- one row per story: written with the story
    signature   uinteger[] not null
);
create table if not exists story_bands (
    band_key    bigint not null,
    story_id    varchar not null
);
