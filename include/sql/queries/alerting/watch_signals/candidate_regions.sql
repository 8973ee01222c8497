select r.article_id, r.region
from article_regions as r
semi join watch_candidates as c using (article_id);
