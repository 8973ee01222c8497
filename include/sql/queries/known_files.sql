-- Files read before, with the size and modification time they had then.
select path, size, mtime_ns
from source_files
where path in (select unnest($paths::varchar[]));
