select count(*) from incoming;
