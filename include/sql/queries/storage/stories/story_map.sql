-- Which story each new staged article joins (or starts).
create or replace temp table story_map as
select unnest($article_ids::varchar[]) as article_id,
       unnest($story_ids::varchar[]) as story_id,
       unnest($new_story::boolean[]) as new_story;
