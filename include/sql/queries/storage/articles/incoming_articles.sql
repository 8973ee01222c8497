-- The articles of one run's staging file, one row per article_id. When a run holds several
-- copies of one article, the text is the last copy's, and every other field is merged:
-- the last copy that has a value gives it, and the date is the most trusted one.
create or replace temp table incoming as
with raw as (
    select *
    from read_json(
        $articles,
        format = 'newline_delimited',
        maximum_object_size = $max_object,  -- its longest line, when over the default
        columns = {
            article_id: 'varchar', url: 'varchar', canonical_url: 'varchar', origin: 'varchar',
            source: 'varchar', title: 'varchar', text: 'varchar', lang: 'varchar',
            authors: 'varchar[]', published_at: 'timestamptz', date_source: 'varchar',
            content_hash: 'varchar', chars: 'integer', signature: 'uinteger[]',
            bands: 'bigint[]', seq: 'bigint', lang_source: 'varchar',
            source_host: 'varchar', links: 'varchar[]',
            index_terms: 'varchar', index_tfs: 'varchar', text_source: 'varchar'
        }
    )
),
merged as (
    select article_id,
           arg_max(url, seq) filter (where url is not null) as url,
           arg_max(canonical_url, seq) filter (where canonical_url is not null) as canonical_url,
           arg_max(origin, seq) as origin,
           arg_max(source, seq) filter (where source is not null) as source,
           arg_max(source_host, seq) filter (where source_host is not null) as source_host,
           arg_max(links, seq) filter (where len(links) > 0) as links,
           arg_max(title, seq) filter (where title is not null and title <> '') as title,
           arg_max(text, seq) as text,
           arg_max(text_source, seq) as text_source,
           arg_max(lang, [lang_source = 'declared', seq]) filter (where lang is not null) as lang,
           arg_max(lang_source, [lang_source = 'declared', seq]) filter (where lang is not null) as lang_source,
           arg_max(authors, seq) filter (where len(authors) > 0) as authors,
           arg_max(published_at, [date_rank(date_source), seq])
               filter (where published_at is not null) as published_at,
           arg_max(date_source, [date_rank(date_source), seq])
               filter (where published_at is not null) as date_source,
           arg_max(content_hash, seq) as content_hash,
           arg_max(chars, seq) as chars,
           arg_max(signature, seq) as signature,
           arg_max(bands, seq) as bands,
           -- the index terms the read stage counted for the last copy, when the title kept
           -- is that copy's too (else search/index.sql counts them from title and text)
           case when coalesce(arg_max(title, seq) filter (where title is not null and title <> ''), '')
                     = coalesce(arg_max_null(title, seq), '')
                then arg_max_null(index_terms, seq) end as index_terms,
           case when coalesce(arg_max(title, seq) filter (where title is not null and title <> ''), '')
                     = coalesce(arg_max_null(title, seq), '')
                then arg_max_null(index_tfs, seq) end as index_tfs,
           max(seq) as seq
    from raw
    group by article_id
)
select merged.*,
       case when a.article_id is null then 'new'
            -- a feed's summary or headline never replaces a fuller text stored before
            when text_rank(merged.text_source) < text_rank(a.text_source) then 'unchanged'
            when a.content_hash <> merged.content_hash then 'changed'
            else 'unchanged' end as state
from merged
left join articles as a using (article_id);
