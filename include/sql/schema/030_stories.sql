-- A story groups exact and near-duplicate articles (syndicated, re-headlined copies).
create table if not exists stories (
    story_id          varchar primary key,     -- the article_id of its first article
    title             varchar,
    first_article_id  varchar not null,
    first_seen_at     timestamptz not null,
    first_run_id      varchar not null,
    published_at      timestamptz,             -- earliest publication date among its articles
    article_count     integer not null default 1,
    source_count      integer not null default 1,
    last_seen_at      timestamptz not null
);
