-- newsmon search with no filter: query.sql's ranking, the best $limit taken from the index's
-- own scores before any article is read (a common word matches most of the archive: at a
-- million articles, joining its 600,000 matches to the articles to filter nothing cost as
-- much as the ranking). The same rows, in the same order, as query.sql with no filter.
with ranked as (
    select article_id, score, words_matched
    from search_articles($q)
    order by round(score, 6) desc, article_id  -- as query.sql orders them
    limit $limit
)
select a.article_id, a.story_id, a.title, a.source,
       coalesce(a.published_at, a.first_seen_at) as published_at,
       coalesce(a.url, a.origin) as url, a.lang, round(r.score, 3) as score, r.words_matched,
       a.text
from ranked as r
join articles as a using (article_id)
order by round(r.score, 3) desc, r.article_id;  -- query.sql's order of what it returns
