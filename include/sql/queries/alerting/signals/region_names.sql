-- Region codes and their display names.
select region, name from regions;
