-- When each feed was last read successfully (200 or 304), kept across failed checks, so the
-- console can say "last successful fetch" of a feed that is failing now.
alter table feed_state add column if not exists last_ok_at timestamptz;
