-- How many documents the run's files held.
select coalesce(sum(documents), 0)
from read_json($results, format = 'newline_delimited', columns = {documents: 'integer'});
