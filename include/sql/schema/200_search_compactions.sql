-- When the search index was last rewritten in term order (storage/search/compact.sql), and
-- how many postings it then held: the next compaction is due when the postings appended
-- since (each chunk's sorted apart) reach a share of them (newsmon.storage.search).
create table if not exists search_compactions (
    compacted_at  timestamptz not null,
    postings      bigint not null,
    seconds       double
);
