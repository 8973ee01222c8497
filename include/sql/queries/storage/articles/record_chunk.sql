-- A staging chunk is written: a retried store skips it.
insert into run_chunks
values ($run_id, $chunk, $articles_new, $articles_updated, $articles_unchanged, $stories_new, $now);
