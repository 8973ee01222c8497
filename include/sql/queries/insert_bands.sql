-- LSH band keys of the new staged articles.
insert into article_bands
select unnest(bands), article_id
from stage
where state = 'new';
