-- requires primary key: article_topics
-- Databases made before kept article_topics under a primary key (article_id, topic); its
-- index was rewritten whole at every checkpoint. The keyed table is set aside here, 050
-- creates the table as it is now, and 051 moves the rows over.
alter table article_topics rename to article_topics_keyed;
