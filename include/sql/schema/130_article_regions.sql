-- The regions an article places things in, by ISO 3166-2 code (include/config/regions.yaml),
-- with the same explainable evidence as its topics: the form matched, the field, offsets
-- into the title or text, the words around it and the weight.
create table if not exists article_regions (
    article_id        varchar not null,
    region            varchar not null,
    score             double not null,
    evidence          struct(term varchar, field varchar, "start" integer, "end" integer,
                             snippet varchar, weight double)[] not null,
    gazetteer_version varchar not null,
    tagged_at         timestamptz not null
);
