-- Every stored raw page with the date its article has now.
select f.url, f.final_url, f.source, f.raw_path, a.published_at, a.date_source
from fetched_urls as f
left join articles as a on a.canonical_url = f.canonical_url
where f.raw_path is not null
  and f.error is null
order by f.fetched_at;
