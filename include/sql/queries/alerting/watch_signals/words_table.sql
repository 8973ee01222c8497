-- The query words of the watchlists being matched (newsmon.alerting.watch_matching.word_rows).
create or replace temp table watch_words as
select unnest($wl::integer[]) as wl,
       unnest($alt::integer[]) as alt,
       unnest($word::integer[]) as word,
       unnest($head::varchar[]) as head,
       unnest($stem::varchar[]) as stem,
       unnest($prefix::varchar[]) as prefix,
       unnest($exact::boolean[]) as exact;
