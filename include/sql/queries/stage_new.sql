-- The new staged articles with their near-duplicate keys, in run order.
select article_id, content_hash, signature, bands
from stage
where state = 'new'
order by seq;
