-- When the oldest alert still pending on a channel was queued, and when the channel last sent
-- (a watchlist's schedule: hourly or daily).
select min(created_at) filter (where status = 'pending'),
       max(sent_at) filter (where status = 'sent')
from alerts
where channel = $channel;
