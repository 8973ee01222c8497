-- How many staged articles are new, changed or unchanged.
select state, count(*)
from incoming
group by state;
