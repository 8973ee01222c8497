-- DuckDB's buffer pool for this connection (a size the settings loader checked).
set memory_limit = $size;
