-- Fetch state: one row per feed (conditional GET and content hash) and per page fetched.
create table if not exists feed_state (
    source        varchar primary key,
    url           varchar not null,
    etag          varchar,
    last_modified varchar,
    content_hash  varchar,           -- sha256 of the last parsed body
    status        integer,
    error         varchar,
    checked_at    timestamptz not null
);
create table if not exists fetched_urls (
    canonical_url varchar primary key,
    url           varchar not null,
    final_url     varchar,
    source        varchar,
    status        integer,
    content_hash  varchar,           -- sha256 of the raw page
    raw_path      varchar,           -- relative to the raw/ folder beside the database (gzip)
    error         varchar,
    fetched_at    timestamptz not null,
    attempts      integer not null default 1
);
-- robots.txt per origin, reused for up to 24 hours (RFC 9309 allows that long).
create table if not exists robots_cache (
    origin      varchar primary key,
    status      integer,
    body        varchar,
    fetched_at  timestamptz not null
);
