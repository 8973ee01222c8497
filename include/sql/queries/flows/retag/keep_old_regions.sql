-- The articles whose tagging failed in a re-tag ($ids) keep the regions they had.
insert into retag_article_regions
select * from article_regions where list_contains($ids::varchar[], article_id);
