-- What the last cycles learned of each feed: validators and the hash of the body parsed.
select source, etag, last_modified, content_hash
from feed_state;
