-- The country each assigned topic is about (ISO 3166-1 alpha-2; null: the text does not say)
-- and the evidence that decided it (newsmon.countries). Rows tagged before the country pass
-- have neither until `newsmon retag`.
alter table article_topics add column if not exists country varchar;
alter table article_topics add column if not exists country_evidence
    struct(term varchar, field varchar, "start" integer, "end" integer, snippet varchar,
           weight double)[];
