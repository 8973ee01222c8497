-- The articles of one run's staging file, last copy of each article_id winning.
create or replace temp table stage as
with raw as (
    select *
    from read_json(
        $articles,
        format = 'newline_delimited',
        columns = {
            article_id: 'varchar', url: 'varchar', canonical_url: 'varchar', origin: 'varchar',
            source: 'varchar', title: 'varchar', text: 'varchar', lang: 'varchar',
            authors: 'varchar[]', published_at: 'timestamptz', date_source: 'varchar',
            content_hash: 'varchar', chars: 'integer', signature: 'uinteger[]',
            bands: 'bigint[]', seq: 'bigint'
        }
    )
)
select raw.*,
       case when a.article_id is null then 'new'
            when a.content_hash <> raw.content_hash then 'changed'
            else 'unchanged' end as state
from raw
left join articles as a using (article_id)
qualify row_number() over (partition by raw.article_id order by raw.seq desc) = 1;
