-- One signal per story first seen in a pending run with a watched topic assigned about a
-- watched country (in_watch: its other topics stay stored, out of scope). A story
-- first seen in a backfill run, or published before $recent_since (history, however new to
-- us), is recorded with suppressed = 'backfill': its alerts are not delivered.
insert into signals (signal_id, kind, topic, story_id, score, reason, run_id, created_at,
                     suppressed)
select 'new_story:' || t.topic || ':' || s.story_id,
       'new_story',
       t.topic,
       s.story_id,
       max(t.score),
       'new ' || t.topic || ' story' || coalesce(' about ' || any_value(t.country), '')
           -- the score as the console prints it: two decimals, no trailing zeros
           || ' (score ' || regexp_replace(printf('%.2f', max(t.score)), '\.00$|0$', '') || ', '
           || count(distinct a.article_id)
           || if(count(distinct a.article_id) = 1, ' article', ' articles') || '): '
           || any_value(s.title),
       $run_id,
       $now,
       if(coalesce(bool_or(r.backfill), false) or any_value(s.published_at) < $recent_since, 'backfill', null)
from stories as s
join pipeline_runs as r on r.run_id = s.first_run_id
join articles as a using (story_id)
join article_topics as t using (article_id)
where s.first_run_id in (select unnest($runs::varchar[]))
  and t.topic in (select unnest($topics::varchar[]))
  and in_watch(t.country)
group by t.topic, s.story_id
on conflict do nothing
returning signal_id;
