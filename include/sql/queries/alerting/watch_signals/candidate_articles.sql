select article_id, story_id, lang, source
from watch_candidates
order by story_id, article_id;
