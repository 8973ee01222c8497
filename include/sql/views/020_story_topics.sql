-- Stories with their best score per topic over all their copies.
create or replace view story_topics as
with scored as (
    select a.story_id, t.topic, max(t.score) as score, count(distinct a.article_id) as articles
    from articles as a
    join article_topics as t using (article_id)
    group by all
)
select s.story_id, s.title, s.first_seen_at, s.published_at, s.article_count, s.source_count,
       scored.topic, scored.score, scored.articles as articles_with_topic
from stories as s
join scored using (story_id);
