-- Posts seen this run: a new one keeps its first text; a changed text counts an edit; a post
-- missing from a page that shows its neighbours is marked deleted (once).
insert into telegram_posts
select channel, post_id, url, kind, text_hash, text, forwarded_from, reply_to, published_at,
       seen_at, seen_at, 0, null, case when deleted then seen_at end
from read_json($files, format = 'newline_delimited', columns = {
    channel: 'varchar', post_id: 'bigint', url: 'varchar', kind: 'varchar',
    text_hash: 'varchar', text: 'varchar', forwarded_from: 'varchar', reply_to: 'varchar',
    published_at: 'timestamptz', seen_at: 'timestamptz', deleted: 'boolean'})
qualify row_number() over (partition by channel, post_id order by seen_at desc, deleted) = 1
on conflict (channel, post_id) do update set
    kind = case when excluded.deleted_at is not null then telegram_posts.kind else excluded.kind end,
    edits = telegram_posts.edits + case
        when excluded.deleted_at is null and excluded.text_hash is not null
             and telegram_posts.text_hash is not null
             and excluded.text_hash <> telegram_posts.text_hash then 1 else 0 end,
    edited_at = case
        when excluded.deleted_at is null and excluded.text_hash is not null
             and telegram_posts.text_hash is not null
             and excluded.text_hash <> telegram_posts.text_hash then excluded.last_seen_at
        else telegram_posts.edited_at end,
    text_hash = coalesce(excluded.text_hash, telegram_posts.text_hash),
    first_text = coalesce(telegram_posts.first_text, excluded.first_text),
    forwarded_from = coalesce(excluded.forwarded_from, telegram_posts.forwarded_from),
    reply_to = coalesce(excluded.reply_to, telegram_posts.reply_to),
    published_at = coalesce(telegram_posts.published_at, excluded.published_at),
    last_seen_at = case when excluded.deleted_at is null then excluded.last_seen_at
                        else telegram_posts.last_seen_at end,
    deleted_at = coalesce(telegram_posts.deleted_at, excluded.deleted_at);
