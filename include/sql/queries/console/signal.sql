-- One signal, whatever its kind (every column, so a copy made before a column existed reads too).
select *
from signals
where signal_id = $signal_id;
