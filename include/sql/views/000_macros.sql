-- How much a publication date is trusted, by where it came from: the page's or record's own
-- metadata, then the feed, a dateline in the text, the URL, and last the time it was fetched.
create or replace macro date_rank(date_source) as
    case date_source
        when 'meta' then 6 when 'json' then 6 when 'feed' then 5 when 'text' then 4
        when 'url' then 3 when 'fetched' then 1 else 0
    end;
