-- Every connection reads and writes times in UTC.
set TimeZone = 'UTC';
