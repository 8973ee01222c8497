-- Queued pages this run fetched, or found refused for good: out of the queue.
delete from fetch_retries
where canonical_url in (
    select canonical_url
    from read_json($files, format = 'newline_delimited', columns = {
        canonical_url: 'varchar', url: 'varchar', source: 'varchar', title: 'varchar',
        published_at: 'timestamptz', feed_text: 'varchar', feed_text_source: 'varchar',
        attempts: 'integer', first_failed_at: 'timestamptz', next_attempt_at: 'timestamptz',
        last_error: 'varchar', status: 'varchar'})
    where status = 'done'
);
