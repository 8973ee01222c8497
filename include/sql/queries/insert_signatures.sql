-- MinHash signatures of the new staged articles.
insert into article_signatures
select article_id, signature
from stage
where state = 'new'
on conflict do nothing;
