-- requires primary key: articles
-- Databases made before kept articles under a primary key; DuckDB rewrote its whole index
-- at every checkpoint (1.5 s at 50,000 articles for a run adding one). Rebuilt once without.
create table articles_rebuilt (
    article_id     varchar not null,           -- sha1 of the canonical URL, else of the content hash
    story_id       varchar not null,
    url            varchar,
    canonical_url  varchar,
    origin         varchar not null,           -- file path (#L<line> for JSON Lines) or URL
    source         varchar,                    -- the outlet
    title          varchar,
    text           varchar not null,           -- cleaned text; evidence offsets point into it
    lang           varchar,
    authors        varchar[],
    published_at   timestamptz,
    date_source    varchar,                    -- meta | url | feed | text | json | fetched
    content_hash   varchar not null,
    chars          integer not null,
    first_seen_at  timestamptz not null,
    updated_at     timestamptz not null,
    first_run_id   varchar not null,
    last_run_id    varchar not null
);
insert into articles_rebuilt select * from articles;
drop table articles;
alter table articles_rebuilt rename to articles;
