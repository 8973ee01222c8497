-- Cleaned articles. One row per page (canonical URL) or, without a URL, per distinct text:
-- kept so by the one writer (each staged article is new, changed or unchanged against what
-- is stored), not by a key, whose whole index DuckDB rewrites at every checkpoint.
create table if not exists articles (
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
