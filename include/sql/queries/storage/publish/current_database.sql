-- The writer's catalog name (COPY FROM DATABASE takes names, not parameters).
select current_database();
