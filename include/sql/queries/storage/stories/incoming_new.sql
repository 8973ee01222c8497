-- The new staged articles, in run order.
select article_id, content_hash
from stage
where state = 'new'
order by seq;
