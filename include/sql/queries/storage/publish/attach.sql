-- A new file in the analysts' format, to export an older database into.
attach $path as newsmon_publish (storage_version $version);
