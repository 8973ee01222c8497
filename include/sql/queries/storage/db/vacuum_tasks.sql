-- How many row groups a checkpoint may merge and rewrite (0: no compaction).
set max_vacuum_tasks = $tasks;
