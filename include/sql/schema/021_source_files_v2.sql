-- JSON Lines files are read incrementally: how far a file was read (after its last complete
-- record) and a hash of its head, so an append is told from a rewrite.
alter table source_files add column if not exists read_bytes bigint;
alter table source_files add column if not exists read_lines bigint;
alter table source_files add column if not exists head varchar;        -- sha1 prefix of the first head_bytes
alter table source_files add column if not exists head_bytes integer;
