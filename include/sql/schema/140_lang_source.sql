-- Where an article's language came from: declared (by the page, record, feed or source) or
-- detected in its text (newsmon.language); null with no language.
alter table articles add column if not exists lang_source varchar;
