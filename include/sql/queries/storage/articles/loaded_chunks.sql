-- Staging chunks of a run already written.
select chunk
from run_chunks
where run_id = $run_id;
