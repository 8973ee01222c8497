-- New and changed articles are tagged afresh.
delete from article_topics
where article_id in (select article_id from incoming where state in ('new', 'changed'));
