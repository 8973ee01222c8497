detach newsmon_publish;
