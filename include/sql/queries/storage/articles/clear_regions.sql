-- New and changed articles are placed afresh.
delete from article_regions
where article_id in (select article_id from incoming where state in ('new', 'changed'));
