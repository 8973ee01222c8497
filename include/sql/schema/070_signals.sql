-- Signals, each written once: new_story:<topic>:<story_id> or spike:<topic>:<day>.
create table if not exists signals (
    signal_id     varchar primary key,
    kind          varchar not null,            -- new_story | spike
    topic         varchar not null,
    story_id      varchar,                     -- new_story only
    day           date,                        -- spike only: the day counted
    score         double,                      -- new_story: the story's topic score
    count_day     integer,                     -- spike: stories on that day
    baseline      double,                      -- spike: mean stories a day over the trailing window
    reason        varchar not null,            -- one line that says why it fired
    run_id        varchar not null,
    created_at    timestamptz not null
);
