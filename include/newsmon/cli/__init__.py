"""The ``newsmon`` command line: :mod:`main` parses and dispatches, :mod:`tools` holds the
commands that work on documents rather than the database, :mod:`report` what they print."""
