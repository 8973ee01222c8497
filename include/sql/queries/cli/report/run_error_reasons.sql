-- One run's problems counted by stage and reason, the commonest first.
select stage, reason, count(*) as n
from ingest_errors
where last_run_id = $run_id
group by stage, reason
order by n desc, stage, reason
limit $limit;
