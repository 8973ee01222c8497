-- The postings the search index holds now, and held at its last compaction (0: never).
select (select count(*) from search_terms) as postings,
       coalesce((select postings from search_compactions
                 order by compacted_at desc limit 1), 0) as at_last;
