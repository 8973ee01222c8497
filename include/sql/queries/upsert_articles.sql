-- New articles go in with their story; changed ones get the new text, keeping story and
-- first-seen. Fields are merged one by one: a copy without a value keeps the stored one,
-- and a date replaces the stored date only when it is at least as trusted.
insert into articles (
    article_id, story_id, url, canonical_url, origin, source, title, text, lang, authors,
    published_at, date_source, content_hash, chars, first_seen_at, updated_at, first_run_id, last_run_id
)
select s.article_id, coalesce(m.story_id, s.article_id), s.url, s.canonical_url, s.origin, s.source,
       s.title, s.text, s.lang, coalesce(s.authors, []), s.published_at, s.date_source,
       s.content_hash, s.chars, $now, $now, $run_id, $run_id
from stage as s
left join story_map as m using (article_id)
where s.state in ('new', 'changed')
on conflict (article_id) do update set
    url = coalesce(excluded.url, articles.url),
    canonical_url = coalesce(excluded.canonical_url, articles.canonical_url),
    origin = excluded.origin,
    source = coalesce(excluded.source, articles.source),
    title = coalesce(excluded.title, articles.title),
    text = excluded.text,
    lang = coalesce(excluded.lang, articles.lang),
    authors = case when len(excluded.authors) > 0 then excluded.authors else articles.authors end,
    published_at = case
        when excluded.published_at is not null
             and (articles.published_at is null
                  or date_rank(excluded.date_source) >= date_rank(articles.date_source))
        then excluded.published_at else articles.published_at end,
    date_source = case
        when excluded.published_at is not null
             and (articles.published_at is null
                  or date_rank(excluded.date_source) >= date_rank(articles.date_source))
        then excluded.date_source else articles.date_source end,
    content_hash = excluded.content_hash,
    chars = excluded.chars,
    updated_at = excluded.updated_at,
    last_run_id = excluded.last_run_id;
