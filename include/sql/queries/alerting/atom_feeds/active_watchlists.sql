-- The watchlists in use (each gets a feed, empty until it matches).
select name from watchlists where removed_at is null and error is null order by name;
