-- Rewrite the search index in term order (the caller's transaction). Each indexed chunk
-- appends its postings sorted by term, so a term's postings lie in one row group per chunk:
-- at a million articles in 200 chunks, a query read ~200 row groups a word. Rewritten in
-- term order, a word's postings are a row group or two, which DuckDB finds by the row
-- groups' min/max (the query joins the few matched terms to the postings). The document
-- frequencies' deltas are summed into one row per term at the same time. The tables are
-- built beside the live ones, with their DDL of schema/110_search.sql, and swapped in.
create table search_terms_compacted (
    term    varchar not null,
    doc_no  integer not null,
    tf      integer not null
);
insert into search_terms_compacted
select term, doc_no, tf from search_terms order by term, doc_no;
drop table search_terms;
alter table search_terms_compacted rename to search_terms;
create table search_vocab_compacted (
    term  varchar not null,
    df    integer not null
);
insert into search_vocab_compacted
select term, sum(df)::integer from search_vocab group by term having sum(df) <> 0 order by term;
drop table search_vocab;
alter table search_vocab_compacted rename to search_vocab;
