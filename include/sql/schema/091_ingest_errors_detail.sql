-- requires missing column: ingest_errors.detail
-- Until 2026-12 a reason could carry what changes from run to run (the read time of a
-- future-dated article, a measured size, a time or temporary path in an exception's text),
-- so the same problem met in another minute became a second row. Each reason is restated
-- in its stable words, what varied moves to the new column detail, and the rows of one
-- problem are merged: earliest first sighting, latest last, their seen_count added.
create table ingest_errors_merged (
    error_id      varchar primary key,         -- sha1 of origin|stage|reason
    origin        varchar not null,            -- file path, #L<line> for a JSON Lines record, or URL
    stage         varchar not null,            -- discover | read | parse | clean | fetch | ...
    reason        varchar not null,            -- the same words each time the problem is met
    first_run_id  varchar not null,
    last_run_id   varchar not null,
    first_seen_at timestamptz not null,
    last_seen_at  timestamptz not null,
    seen_count    integer not null default 1,
    detail        varchar                      -- what varies: a time, a size (the latest run's)
);
insert into ingest_errors_merged
with known as (
    select
        *,
        case
            when regexp_matches(reason, '^published_at (.+) UTC is after the time it was read \((.+) UTC\); stored without a date$')
                then ['published_at is more than a day after the time it was read; stored without a date',
                      regexp_replace(reason, '^published_at (.+) UTC is after the time it was read \((.+) UTC\).*$',
                                     'published_at \1 UTC, read at \2 UTC')]
            when regexp_matches(reason, '^(record|file) too large \(([0-9.]+ MB) > ([0-9.]+) MB limit\)$')
                then [regexp_replace(reason, '^(record|file) too large \(([0-9.]+ MB) > ([0-9.]+) MB limit\)$',
                                     '\1 too large (over the \3 MB limit)'),
                      regexp_extract(reason, '\(([0-9.]+ MB) >', 1)]
            when regexp_matches(reason, '^record too large \(> ([0-9.]+) MB limit\)$')
                then [regexp_replace(reason, '^record too large \(> ([0-9.]+) MB limit\)$',
                                     'record too large (over the \1 MB limit)'), null]
            when regexp_matches(reason, '^UTF-16/32 JSON Lines file too large \(([0-9.]+ MB) > 50 MB limit\)$')
                then ['UTF-16/32 JSON Lines file too large (over the 50 MB limit)',
                      regexp_extract(reason, '\(([0-9.]+ MB) >', 1)]
            when regexp_matches(reason, '^too large \(([0-9.]+) MB > ([0-9.]+) MB limit\)$')
                then [regexp_replace(reason, '^too large \(([0-9.]+) MB > ([0-9.]+) MB limit\)$',
                                     'too large (over the \2 MB limit)'),
                      regexp_replace(reason, '^too large \(([0-9.]+) MB.*$', 'declared \1 MB')]
            when regexp_matches(reason, '^page shows [0-9]+ posts; read the newest [0-9]+$')
                then [regexp_replace(reason, '^page shows [0-9]+ posts; read the newest ([0-9]+)$',
                                     'page shows more than \1 posts; read the newest \1'),
                      regexp_replace(reason, '^page shows ([0-9]+) posts.*$', '\1 posts')]
            when regexp_matches(reason, '^lines [0-9]+-[0-9]+: its reader process died')
                then [regexp_replace(reason, '^lines [0-9]+-[0-9]+: ', ''),
                      regexp_extract(reason, '^(lines [0-9]+-[0-9]+)', 1)]
        end as restated
    from ingest_errors
),
restated as (
    select
        origin,
        stage,
        -- and what no format above names: times, durations, run ids, temporary paths, PIDs
        -- (the patterns of newsmon.reasons.VOLATILE as they were when this was written)
        regexp_replace(
            coalesce(restated[1], reason),
            '\b[a-z_]+__\d{8}T\d{6}Z__[0-9a-f]+\b|(?:manual|scheduled|asset_triggered|backfill|dataset_triggered)__[\w:.+-]+|\b\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(?:\s?(?:UTC|GMT)|Z|[+-]\d{2}:?\d{2})?|\b\d{1,2}:\d{2}:\d{2}(?:[.,]\d+)?\b|\b\d+\.\d+\s?(?:ms|s|sec|secs|seconds|min|minutes)\b|(?:/tmp|/var/tmp|/dev/shm|/run/user)/[^\s''"),;:]+|[^\s''"(]*/staging/[^\s''"),;:]+|\btmp[a-z0-9_]{6,}\b|\b(?:PID|pid)\s*[=:]?\s*\d+|\b0x[0-9a-fA-F]{6,}\b|\b(?:attempt|try|retry)\s*#?\d+',
            '…',
            'g'
        ) as reason,
        restated[2] as known_detail,
        reason as was,
        first_run_id,
        last_run_id,
        first_seen_at,
        last_seen_at,
        seen_count
    from known
)
select
    sha1(origin || '|' || stage || '|' || reason) as error_id,
    origin,
    stage,
    reason,
    arg_min(first_run_id, first_seen_at) as first_run_id,
    arg_max(last_run_id, last_seen_at) as last_run_id,
    min(first_seen_at) as first_seen_at,
    max(last_seen_at) as last_seen_at,
    sum(seen_count)::integer as seen_count,
    arg_max(coalesce(known_detail, case when was <> reason then was end), last_seen_at) as detail
from restated
group by origin, stage, reason;
drop table ingest_errors;
alter table ingest_errors_merged rename to ingest_errors;
