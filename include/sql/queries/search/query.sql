-- newsmon search: the best matches with the filters given (null = no filter).
select a.article_id, a.title, a.source, coalesce(a.published_at, a.first_seen_at) as published_at,
       coalesce(a.url, a.origin) as url, a.lang, round(s.score, 3) as score, s.words_matched, a.text
from search_articles($q) as s
join articles as a using (article_id)
where ($topic is null or a.article_id in (select article_id from article_topics where topic = $topic))
  and ($since is null or coalesce(a.published_at, a.first_seen_at) >= $since)
  and ($lang is null or a.lang = $lang)
order by s.score desc, a.article_id
limit $limit;
