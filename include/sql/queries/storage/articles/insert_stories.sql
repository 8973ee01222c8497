-- Stories started by this run's new articles.
insert into stories (story_id, title, first_article_id, first_seen_at, first_run_id, published_at,
                     article_count, source_count, last_seen_at)
select m.story_id, s.title, s.article_id, $now, $run_id, s.published_at, 1, 1, $now
from story_map as m
join incoming as s using (article_id)
where m.new_story
on conflict do nothing;
