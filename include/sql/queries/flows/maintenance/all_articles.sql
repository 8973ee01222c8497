-- Every stored article's text, for re-tagging.
select article_id, origin, title, text
from articles
order by article_id;
