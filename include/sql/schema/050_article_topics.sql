-- Assigned topics with their score and the evidence that produced them.
create table if not exists article_topics (
    article_id   varchar not null,
    topic        varchar not null,
    score        double not null,
    evidence     struct(term varchar, field varchar, "start" integer, "end" integer,
                        snippet varchar, weight double)[] not null,
    taxonomy_version varchar not null,
    tagged_at    timestamptz not null,
    primary key (article_id, topic)
);
