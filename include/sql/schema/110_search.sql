-- The word index behind search (BM25, in plain tables any DuckDB client can read). No
-- primary keys or unique constraints: DuckDB keeps those indexes in memory, and a corpus
-- with many distinct words (names, numbers, transliterations) would outgrow the buffer pool.
create sequence if not exists search_doc_seq;
create table if not exists search_docs (
    doc_no      integer not null default nextval('search_doc_seq'),
    article_id  varchar not null,
    doc_len     integer not null             -- indexed words (the title counts twice)
);
create table if not exists search_terms (
    term    varchar not null,                -- search_stem(word)
    doc_no  integer not null,
    tf      integer not null                 -- occurrences in the title (twice) and text
);
-- Document frequencies as deltas (one row per term and indexed chunk; negative when changed
-- articles leave): a term's df is sum(df). Appending keeps indexing cost flat.
create table if not exists search_vocab (
    term  varchar not null,
    df    integer not null
);
