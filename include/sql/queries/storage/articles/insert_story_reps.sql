-- The signatures and band keys of the stories this chunk started (their representatives).
insert into story_signatures
select m.story_id, s.signature
from story_map as m
join incoming as s using (article_id)
where m.new_story;
insert into story_bands
select unnest(s.bands), m.story_id
from story_map as m
join incoming as s using (article_id)
where m.new_story;
