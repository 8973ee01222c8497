-- Every stored article's text, for re-tagging, streamed in the order stored (no sort: a
-- sort of a million texts would spill gigabytes; the tags do not depend on the order).
select article_id, origin, title, text
from articles;
