-- The word index behind search (BM25, in plain tables any DuckDB client can read).
create sequence if not exists search_doc_seq;
create table if not exists search_docs (
    doc_no      integer primary key default nextval('search_doc_seq'),
    article_id  varchar not null unique,
    doc_len     integer not null             -- indexed words (the title counts twice)
);
create table if not exists search_terms (
    term    varchar not null,                -- search_stem(word)
    doc_no  integer not null,
    tf      integer not null                 -- occurrences in the title (twice) and text
);
create table if not exists search_vocab (
    term  varchar primary key,
    df    integer not null                   -- documents holding the term
);
