-- One signal per story first seen in a pending run with a watched topic assigned.
insert into signals (signal_id, kind, topic, story_id, score, reason, run_id, created_at)
select 'new_story:' || t.topic || ':' || s.story_id,
       'new_story',
       t.topic,
       s.story_id,
       max(t.score),
       'new ' || t.topic || ' story (score ' || round(max(t.score), 1) || ', '
           || count(distinct a.article_id) || ' article(s)): ' || any_value(s.title),
       $run_id,
       $now
from stories as s
join articles as a using (story_id)
join article_topics as t using (article_id)
where s.first_run_id in (select unnest($runs::varchar[]))
  and t.topic in (select unnest($topics::varchar[]))
group by t.topic, s.story_id
on conflict do nothing
returning signal_id;
