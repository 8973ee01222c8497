-- Record a compaction of the search index.
insert into search_compactions (compacted_at, postings, seconds)
select now(), count(*), $seconds from search_terms;
