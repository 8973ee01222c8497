-- requires table: article_topics_keyed
-- The rows of a keyed article_topics table (set aside by 049) into the table 050 made; run
-- again after a crash between the two, so no row is lost.
insert into article_topics select * from article_topics_keyed;
drop table article_topics_keyed;
