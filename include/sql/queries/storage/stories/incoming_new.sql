-- The new staged articles, in run order.
select article_id, content_hash
from incoming
where state = 'new'
order by seq;
