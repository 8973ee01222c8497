-- How far each Telegram channel has been read.
select channel, last_post_id, gaps
from telegram_channels;
