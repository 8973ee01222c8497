-- The regions a story's copies place it in, best first, with their names.
select r.region, coalesce(g.name, r.region) as name
from story_regions as r
left join regions as g using (region)
where r.story_id = $story_id
order by r.score desc, r.articles desc, r.region
limit $limit;
