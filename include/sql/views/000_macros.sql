-- How much a publication date is trusted, by where it came from: the page's or record's own
-- metadata, then the feed, a dateline in the text, the URL, and last the time it was fetched.
create or replace macro date_rank(date_source) as
    case date_source
        when 'meta' then 6 when 'json' then 6 when 'telegram' then 6 when 'feed' then 5 when 'text' then 4
        when 'url' then 3 when 'fetched' then 1 else 0
    end;

-- Search: words are runs of letters and digits, lower-cased, ё as е.
create or replace macro search_words(txt) as
    regexp_extract_all(replace(lower(coalesce(txt, '')), 'ё', 'е'), '[\p{L}\p{N}]+');

-- Search: a light stemmer for English, Russian and Ukrainian. It strips one inflectional
-- ending (the longest that matches) and keeps at least three letters, so "повістка" and
-- "повістки" both index as "повістк" and "выборы"/"выборов" as "выбор". Queries also match
-- index terms that share all but the last two letters of a stem (see search_articles), so
-- "мобилизация" finds "мобилизованных".
create or replace macro search_stem(w) as (
    case
        when length(regexp_replace(w, '(izations|isations|ization|isation|ations|ation|ments|ment|izing|ising|ized|ised|izes|ises|ize|ise|ings|ing|ies|ied|ed|es|s|ly|ться|ются|ется|ится|иями|ями|ами|ого|его|ому|ему|ыми|ими|ием|ией|иях|ия|ие|ий|ию|ях|ах|ям|ам|ов|ев|ей|ой|ом|ем|ую|юю|ая|яя|ое|ее|ые|ых|их|ым|им|ся|сь|ією|іями|іях|ія|ії|ію|ів|їв|ою|ею|ої|ій|ім|іх|а|я|о|е|ы|и|у|ю|ь|і|ї|є)$', '')) >= 3
        then regexp_replace(w, '(izations|isations|ization|isation|ations|ation|ments|ment|izing|ising|ized|ised|izes|ises|ize|ise|ings|ing|ies|ied|ed|es|s|ly|ться|ются|ется|ится|иями|ями|ами|ого|его|ому|ему|ыми|ими|ием|ией|иях|ия|ие|ий|ию|ях|ах|ям|ам|ов|ев|ей|ой|ом|ем|ую|юю|ая|яя|ое|ее|ые|ых|их|ым|им|ся|сь|ією|іями|іях|ія|ії|ію|ів|їв|ою|ею|ої|ій|ім|іх|а|я|о|е|ы|и|у|ю|ь|і|ї|є)$', '')
        else w
    end
);

-- The day a story counts on (in daily_topic_counts and spike signals): its publication day
-- in UTC, or the day it was first seen when no copy of it has a date.
create or replace macro story_day(published_at, first_seen_at) as
    cast(coalesce(published_at, first_seen_at) at time zone 'UTC' as date);
-- How much of an article a text source holds: a feed's summary or headline never replaces
-- a page's text or the feed's full content (newsmon.feeds); null (a file, record, post) is
-- the whole text.
create or replace macro text_rank(text_source) as
    case text_source when 'title' then 1 when 'feed_summary' then 2 when 'feed_content' then 3
                     else 4 end;
