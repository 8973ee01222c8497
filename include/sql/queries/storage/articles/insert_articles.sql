-- New articles go in with their story.
insert into articles (
    article_id, story_id, url, canonical_url, origin, source, title, text, lang, authors,
    published_at, date_source, content_hash, chars, first_seen_at, updated_at, first_run_id, last_run_id,
    lang_source, text_source
)
select s.article_id, coalesce(m.story_id, s.article_id), s.url, s.canonical_url, s.origin,
       coalesce(s.source, s.source_host),
       s.title, s.text, s.lang, coalesce(s.authors, []), s.published_at, s.date_source,
       s.content_hash, s.chars, $now, $now, $run_id, $run_id, s.lang_source,
       s.text_source
from incoming as s
left join story_map as m using (article_id)
where s.state = 'new';
