-- The watchlists in use and what they matched when last read (to find new and edited ones).
select name, fingerprint
from watchlists
where removed_at is null and error is null;
