-- requires primary key: article_topics
-- Databases made before kept article_topics under a primary key (article_id, topic); its
-- index was rewritten whole at every checkpoint. Rebuilt once without it.
create table article_topics_rebuilt (
    article_id   varchar not null,
    topic        varchar not null,
    score        double not null,
    evidence     struct(term varchar, field varchar, "start" integer, "end" integer,
                        snippet varchar, weight double)[] not null,
    taxonomy_version varchar not null,
    tagged_at    timestamptz not null
);
insert into article_topics_rebuilt select * from article_topics;
drop table article_topics;
alter table article_topics_rebuilt rename to article_topics;
