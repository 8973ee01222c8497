-- One row per piece of evidence: which term matched where, for ad hoc review.
create or replace view article_evidence as
select
    t.article_id,
    a.title,
    a.source,
    t.topic,
    t.score,
    e.term,
    e.field,
    e.start,
    e."end",
    e.snippet
from article_topics as t
join articles as a using (article_id),
     unnest(t.evidence) as u(e);
