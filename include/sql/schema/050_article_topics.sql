-- Assigned topics with their score and the evidence that produced them. One row per article
-- and topic, kept so by the writer (topics of an article are deleted before it is tagged
-- again), not by a key: DuckDB rewrites a key's whole index at every checkpoint, which made
-- each run's checkpoint grow with the database.
create table if not exists article_topics (
    article_id   varchar not null,
    topic        varchar not null,
    score        double not null,
    evidence     struct(term varchar, field varchar, "start" integer, "end" integer,
                        snippet varchar, weight double)[] not null,
    taxonomy_version varchar not null,
    tagged_at    timestamptz not null
);
