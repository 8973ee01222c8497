-- newsmon search: the best matches with the filters given (null = no filter). The texts (the
-- widest column) are read only for the rows kept, after ranking.
with ranked as (
    select a.article_id, a.story_id, a.title, a.source,
           coalesce(a.published_at, a.first_seen_at) as published_at,
           coalesce(a.url, a.origin) as url, a.lang, round(s.score, 3) as score, s.words_matched
    from search_articles($q) as s
    join articles as a using (article_id)
    where ($topic is null or a.article_id in (select article_id from article_topics where topic = $topic))
      and ($since is null or coalesce(a.published_at, a.first_seen_at) >= $since)
      and ($until is null or coalesce(a.published_at, a.first_seen_at) < cast($until as date) + interval 1 day)
      and ($lang is null or a.lang = $lang)
      and ($source is null or a.source = $source)
    order by round(s.score, 6) desc, a.article_id  -- equal to the last bits: one order
    limit $limit
)
select r.*, a.text
from ranked as r
join articles as a using (article_id)
order by r.score desc, r.article_id;
