-- Pages whose fetch failed in a way that may heal (5xx, 429, a time-out, a refused or reset
-- connection, a name that did not resolve), tried again each cycle when due, whether or not
-- their feed changed: attempts doubling apart from fetch.retry_minutes, up to
-- fetch.retry_attempts within fetch.retry_hours of the first failure; then 'gave_up' (and an
-- ingest_errors row that says so). The entry's title, date and own text go with it, so a
-- page that heals becomes the article the feed described, and replaces its feed text.
create table if not exists fetch_retries (
    canonical_url   varchar primary key,
    url             varchar not null,
    source          varchar not null,
    title           varchar,
    published_at    timestamptz,
    feed_text       varchar,                  -- the entry's own text (plain), if any
    feed_text_source varchar,                 -- feed_content | feed_summary | title
    attempts        integer not null,
    first_failed_at timestamptz not null,
    next_attempt_at timestamptz,              -- null once given up
    last_error      varchar,
    status          varchar not null          -- waiting | gave_up
);
