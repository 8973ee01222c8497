-- The text hashes of each channel's recent posts still standing, to see edits and deletions.
select channel, post_id, text_hash
from telegram_posts
where kind = 'text' and deleted_at is null and text_hash is not null
qualify row_number() over (partition by channel order by post_id desc) <= 500;
