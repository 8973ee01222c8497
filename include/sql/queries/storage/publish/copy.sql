-- The writer's whole catalog into the attached analysts' file ({catalog}: a name, which
-- cannot be a parameter; the caller quotes it).
copy from database {catalog} to newsmon_publish;
