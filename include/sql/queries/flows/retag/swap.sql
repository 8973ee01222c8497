-- The swap, in one short transaction (the caller's): the re-tag's tables take the live
-- ones' names. Views name tables, not copies, so they read the new tags from here on.
drop table article_topics;
alter table retag_article_topics rename to article_topics;
drop table article_regions;
alter table retag_article_regions rename to article_regions;
