-- How many articles a re-tag reads.
select count(*) from articles;
