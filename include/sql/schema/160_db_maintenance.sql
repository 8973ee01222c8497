-- When the writer last let DuckDB compact the database (merge and rewrite row groups at a
-- checkpoint). Runs checkpoint without compacting, which keeps their cost from growing
-- with the database; one run every db_compact_hours compacts (see newsmon.db).
create table if not exists db_maintenance (
    task     varchar primary key,   -- 'compact'
    done_at  timestamptz not null
);
