select count(*) from stage;
