-- Files read before: the size and modification time they had then, and for JSON Lines how
-- far they were read and the hash of their head.
select path, size, mtime_ns, read_bytes, read_lines, head, head_bytes
from source_files
where path in (select unnest($paths::varchar[]));
