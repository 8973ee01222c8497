-- requires table: articles_keyed
-- The rows of a keyed articles table (set aside by 039) into the table 040 made; run again
-- after a crash between the two, so no row is lost.
insert into articles select * from articles_keyed;
drop table articles_keyed;
