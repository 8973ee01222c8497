-- Whether a topic about country `c` (ISO 3166-1 alpha-2; null: the text does not say) is in
-- the watch's scope: one of watch_countries, or unplaced while watch_settings allows it.
create or replace macro in_watch(c) as
    coalesce(c in (select code from watch_countries), false)
    or (c is null and coalesce((select bool_or(unplaced) from watch_settings), false));
