-- Each channel's reading position after this run (the latest check wins); a failed check
-- keeps the position and title it had.
insert into telegram_channels
select channel, title, last_post_id, gaps, checked_at, error
from read_json($files, format = 'newline_delimited', columns = {
    channel: 'varchar', title: 'varchar', last_post_id: 'bigint', gaps: 'json',
    checked_at: 'timestamptz', error: 'varchar'})
qualify row_number() over (partition by channel order by checked_at desc) = 1
on conflict (channel) do update set
    title = coalesce(excluded.title, telegram_channels.title),
    last_post_id = greatest(excluded.last_post_id, telegram_channels.last_post_id),
    gaps = excluded.gaps,
    checked_at = excluded.checked_at,
    error = excluded.error;
