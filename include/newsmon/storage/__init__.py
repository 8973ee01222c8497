"""The DuckDB file: the one place that opens it, and everything written to it.

:mod:`db` connects (the writer and the readers) and executes the ``.sql`` files,
:mod:`runs` records pipeline runs, :mod:`articles` stores a run's staged articles
idempotently, chunk by chunk, :mod:`stories` groups copies into stories,
:mod:`bad_articles` stores a failing chunk around its bad articles, :mod:`search` keeps the
word index and answers queries, and :mod:`readcopy` publishes the read-only analyst copy.
"""
