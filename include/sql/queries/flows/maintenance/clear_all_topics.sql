-- Re-tagging replaces every topic.
delete from article_topics;
