-- The new articles of the incoming chunk short enough to be checked for quoting another.
select article_id, text
from incoming
where list_contains($ids::varchar[], article_id)
  and chars <= $limit
