-- Stories with their best score per topic over all their copies, the country the topic is
-- about (that of the best-scored copy that names one) and whether it is in the watch's
-- scope (in_watch: a copy has the topic about a watched country).
create or replace view story_topics as
with scored as (
    select a.story_id,
           t.topic,
           max(t.score) as score,
           count(distinct a.article_id) as articles,
           arg_max(t.country, t.score) filter (where t.country is not null) as country,
           bool_or(in_watch(t.country)) as in_watch
    from articles as a
    join article_topics as t using (article_id)
    group by all
)
select s.story_id, s.title, s.first_seen_at, s.published_at, s.article_count, s.source_count,
       scored.topic, scored.score, scored.articles as articles_with_topic, scored.country,
       scored.in_watch
from stories as s
join scored using (story_id);
