"""The pipeline, stage by stage: the only code that opens the database for writing.

:mod:`ingest` discovers and reads files (its per-document work runs in the worker processes
of :mod:`workers`); :mod:`fetch` plans and runs a fetch cycle; :mod:`tag` tags what was
staged untagged; :mod:`store` stores a run and raises its signals; :mod:`deliver` delivers
the alerts; :mod:`brief` queues the morning briefs; :mod:`pipeline` runs a whole flow in one process (the CLI); :mod:`maintenance`
re-extracts and re-tags what is stored.
"""
