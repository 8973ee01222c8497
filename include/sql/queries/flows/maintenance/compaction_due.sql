-- Whether the database has not been compacted for $hours hours (or ever).
select coalesce(max(done_at) < now() - to_microseconds(($hours * 3600e6)::bigint), true)
from db_maintenance
where task = 'compact';
