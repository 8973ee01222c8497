-- Re-tagging replaces every region.
delete from article_regions;
