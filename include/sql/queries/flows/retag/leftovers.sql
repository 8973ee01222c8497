-- The tables a re-tag builds beside the live ones; a re-tag killed before its swap left
-- them: the next one starts them afresh.
drop table if exists retag_article_topics;
drop table if exists retag_article_regions;
