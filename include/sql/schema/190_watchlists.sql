-- Watchlists (include/config/watchlists.yaml), as the writer last read them: one row each,
-- with the reason where one could not be used. `removed_at` is set when it leaves the file;
-- its matches stay. `fingerprint` changes when what it matches changes (then the recent
-- window is matched again, recorded without alerts).
create table if not exists watchlists (
    name         varchar primary key,
    definition   varchar,                      -- JSON: query, filters and delivery, normalised
    fingerprint  varchar,
    error        varchar,                      -- why it is not used (null: it is)
    channels     varchar[],                    -- the outbox channels it delivers to
    schedule     varchar,                      -- each | hourly | daily@HH:MM Area/City
    loaded_at    timestamptz not null,         -- last read from the file
    changed_at   timestamptz not null,         -- its definition or error last changed
    removed_at   timestamptz
);
-- One row per watchlist and story: the first article of the story that matched, and why.
-- No key (an index would be held in memory): the writer inserts only pairs not yet there.
create table if not exists watchlist_matches (
    watchlist    varchar not null,
    story_id     varchar not null,
    article_id   varchar not null,
    score        double,                       -- its best topic score among those asked for
    evidence     varchar not null,             -- JSON: words, topics, countries, regions, snippet
    fingerprint  varchar not null,             -- the watchlist's definition it matched
    run_id       varchar not null,
    matched_at   timestamptz not null,
    suppressed   varchar                       -- null: alerted; backfill | rematch | no_delivery
);
-- A watch signal names its watchlist.
alter table signals add column if not exists watchlist varchar;
-- A brief's content as built when it was due (JSON), so a retried send says the same.
alter table signals add column if not exists detail varchar;
