-- Public Telegram channels read through their web preview: how far each has been read, and
-- every post seen, with its first text and what happened to it since (edits, deletion).
create table if not exists telegram_channels (
    channel       varchar primary key,     -- the public username
    title         varchar,                 -- as the preview shows it (the outlet of its posts)
    last_post_id  bigint not null default 0,
    gaps          varchar,                 -- JSON [[floor, before], ...]: post ids not yet read
    checked_at    timestamptz not null,
    error         varchar                  -- the last cycle's failure, if it failed
);
create table if not exists telegram_posts (
    channel        varchar not null,
    post_id        bigint not null,
    url            varchar not null,        -- https://t.me/<channel>/<post_id>
    kind           varchar not null,        -- text | media (no text) | service
    text_hash      varchar,
    first_text     varchar,                 -- the text when first seen (kept through edits)
    forwarded_from varchar,
    reply_to       varchar,
    published_at   timestamptz,
    first_seen_at  timestamptz not null,
    last_seen_at   timestamptz not null,
    edits          integer not null default 0,
    edited_at      timestamptz,             -- when a changed text was last seen
    deleted_at     timestamptz,             -- when it was first missing from a page showing its neighbours
    primary key (channel, post_id)
);
