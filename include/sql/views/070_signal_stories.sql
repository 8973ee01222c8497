-- Signals with what an analyst needs to judge them: the story's headline, link, outlets and
-- the evidence for the signal's topic; `day` is the spike's day or the story's publication
-- day (else the day the signal fired).
--   select created_at, topic, title, url, outlets, reason from signal_stories order by created_at desc;
create or replace view signal_stories as
select g.signal_id,
       g.kind,
       g.topic,
       coalesce(g.day, cast(coalesce(s.published_at, g.created_at) at time zone 'UTC' as date)) as day,
       g.reason,
       g.score,
       g.count_day,
       g.baseline,
       g.created_at,
       g.story_id,
       s.title,
       coalesce(a.url, a.origin) as url,
       a.source,
       s.published_at,
       s.article_count,
       (select list(distinct coalesce(c.source, c.canonical_url, c.origin))
        from articles as c where c.story_id = g.story_id) as outlets,
       (select list({'term': e.term, 'snippet': e.snippet, 'weight': e.weight} order by e.weight desc)
        from article_topics as t, unnest(t.evidence) as u(e)
        where t.article_id = s.first_article_id and t.topic = g.topic) as evidence
from signals as g
left join stories as s using (story_id)
left join articles as a on a.article_id = s.first_article_id;
