-- The articles stored or changed by the runs whose signals are being raised.
create or replace temp table watch_candidates as
select article_id, story_id, lang, source
from articles
where last_run_id in (select unnest($runs::varchar[]));
