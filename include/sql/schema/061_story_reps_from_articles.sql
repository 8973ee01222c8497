-- requires table: article_bands
-- Databases made before stories had representatives kept signatures and bands for every
-- article; keep those of each story's first article and drop the rest (run once).
insert into story_signatures
select st.story_id, s.signature
from stories as st
join article_signatures as s on s.article_id = st.first_article_id;
insert into story_bands
select ab.band_key, st.story_id
from stories as st
join article_bands as ab on ab.article_id = st.first_article_id;
drop table article_bands;
drop table article_signatures;
