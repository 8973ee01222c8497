-- How many words each alternative of the watchlists being matched needs.
create or replace temp table watch_alts as
select unnest($wl::integer[]) as wl,
       unnest($alt::integer[]) as alt,
       unnest($needed::integer[]) as needed;
