-- One row per piece of evidence: which rule matched where, with the article's url, date,
-- outlet and the weight the match added.
--   select title, url, term, snippet from article_evidence
--   where topic = 'mobilization' and published_at > now() - interval 7 day order by weight desc;
create or replace view article_evidence as
select
    t.article_id,
    a.story_id,
    a.title,
    a.source,
    coalesce(a.url, a.origin) as url,
    a.published_at,
    a.lang,
    t.topic,
    t.score,
    e.term,
    e.weight,
    e.field,
    e.start,
    e."end",
    e.snippet
from article_topics as t
join articles as a using (article_id),
     unnest(t.evidence) as u(e);
