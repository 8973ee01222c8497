-- The lowest document number the quote check of these short texts needs to read: the
-- first stored article dated within the dedup window before the earliest of them, or
-- undated (0 when a short text has no date: every stored article may be in its window).
-- The index is appended in document order, so `search_terms` rows below it are skipped by
-- their row groups' bounds instead of joined: with news stored as it comes, the check
-- reads the window, not the years behind it.
with span as (
    select min(published_at) - to_days($window_days::integer) - interval 1 day as lo,
           bool_or(published_at is null) as undated
    from incoming
    where list_contains($ids::varchar[], article_id)
),
near as (
    select article_id
    from articles
    where published_at is null or published_at >= (select lo from span)
)
select case
    when (select undated from span) then 0
    else coalesce((select min(d.doc_no) from search_docs as d semi join near using (article_id)),
                  2147483647)
end as doc_floor;
