-- Changed articles get the new text, keeping story and first-seen. Fields are merged one by
-- one: a copy without a value keeps the stored one, and a date replaces the stored date only
-- when it is at least as trusted. (No primary key to upsert on: DuckDB rewrites a key's
-- whole index at every checkpoint; the incoming chunk's state says which articles are stored.)
update articles
set url = coalesce(s.url, articles.url),
    canonical_url = coalesce(s.canonical_url, articles.canonical_url),
    origin = s.origin,
    source = coalesce(s.source, articles.source, s.source_host),
    title = coalesce(s.title, articles.title),
    text = s.text,
    text_source = s.text_source,
    lang = case when s.lang is not null
                     and (articles.lang is null or s.lang_source = 'declared'
                          or coalesce(articles.lang_source, '') <> 'declared')
                then s.lang else articles.lang end,
    lang_source = case when s.lang is not null
                            and (articles.lang is null or s.lang_source = 'declared'
                                 or coalesce(articles.lang_source, '') <> 'declared')
                       then s.lang_source else articles.lang_source end,
    authors = case when len(coalesce(s.authors, [])) > 0 then s.authors else articles.authors end,
    published_at = case
        when s.published_at is not null
             and (articles.published_at is null
                  or date_rank(s.date_source) >= date_rank(articles.date_source))
        then s.published_at else articles.published_at end,
    date_source = case
        when s.published_at is not null
             and (articles.published_at is null
                  or date_rank(s.date_source) >= date_rank(articles.date_source))
        then s.date_source else articles.date_source end,
    content_hash = s.content_hash,
    chars = s.chars,
    updated_at = $now,
    last_run_id = $run_id
from incoming as s
where s.state = 'changed'
  and articles.article_id = s.article_id;
