-- Stories per watched topic per day over the baseline window and the day itself, counting a
-- story when one of its copies has the topic about a watched country (in_watch): the
-- `stories` of `daily_topic_counts` for those days, with the window's stories picked first,
-- so the work follows the stories of the window, not every article ever stored.
with days as (select story_id, day from stories_of_days($start, $as_of))
select t.topic, d.day, count(distinct d.story_id) as stories
from days as d
join articles as a using (story_id)
join article_topics as t using (article_id)
where t.topic in (select unnest($topics::varchar[]))
  and in_watch(t.country)
group by all;
