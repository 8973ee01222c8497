-- The articles whose tagging failed in a re-tag ($ids) keep the topics they had: their live
-- rows are copied into the twin before the swap.
insert into retag_article_topics
select * from article_topics where list_contains($ids::varchar[], article_id);
