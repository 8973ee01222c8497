-- Every staged new or changed article gets its document row, also one with no word to
-- index (a post "ok", an emoji, a headline "x"): without a row it would look never indexed,
-- and index_missing would stage it again forever.
insert into search_docs (article_id, doc_len)
select s.article_id, coalesce(sum(ss.tf), 0)::integer
from incoming as s
left join incoming_terms as ss using (article_id)
where s.state in ('new', 'changed')
group by s.article_id;
