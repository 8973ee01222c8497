-- New articles go in with their story; changed ones get the new text, keeping story and first-seen.
insert into articles (
    article_id, story_id, url, canonical_url, origin, source, title, text, lang, authors,
    published_at, date_source, content_hash, chars, first_seen_at, updated_at, first_run_id, last_run_id
)
select s.article_id, coalesce(m.story_id, s.article_id), s.url, s.canonical_url, s.origin, s.source,
       s.title, s.text, s.lang, s.authors, s.published_at, s.date_source, s.content_hash, s.chars,
       $now, $now, $run_id, $run_id
from stage as s
left join story_map as m using (article_id)
where s.state in ('new', 'changed')
on conflict (article_id) do update set
    url = excluded.url,
    canonical_url = excluded.canonical_url,
    origin = excluded.origin,
    source = coalesce(excluded.source, articles.source),
    title = excluded.title,
    text = excluded.text,
    lang = coalesce(excluded.lang, articles.lang),
    authors = excluded.authors,
    published_at = coalesce(excluded.published_at, articles.published_at),
    date_source = coalesce(excluded.date_source, articles.date_source),
    content_hash = excluded.content_hash,
    chars = excluded.chars,
    updated_at = excluded.updated_at,
    last_run_id = excluded.last_run_id;
