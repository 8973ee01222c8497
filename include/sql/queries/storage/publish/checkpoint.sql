-- Write the WAL into the file, so a byte copy of it is whole.
checkpoint;
