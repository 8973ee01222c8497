"""The ``newsmon`` command line: :mod:`main` parses and dispatches, :mod:`commands` runs the
pipeline's flows, :mod:`analyst` reads the database (summary, search, sql), :mod:`tools`
works on documents without the database (clean, tag, extract, evaluate), :mod:`watch` has
the watchlists and the morning brief, and :mod:`report` writes what they print."""
