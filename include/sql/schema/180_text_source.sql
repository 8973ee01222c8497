-- Where a fetched article's text came from: page (the linked page, extracted) | feed_content
-- | feed_summary | title (the feed entry's own text, when the page could not be had or gave
-- less); null for files, records and Telegram posts, which are their own text.
alter table articles add column if not exists text_source varchar;
