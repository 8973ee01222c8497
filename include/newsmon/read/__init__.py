"""Reading: files, JSON Lines ranges and HTML pages into documents (:class:`~newsmon.records.RawDoc`).

:mod:`files` finds and reads input files, :mod:`jsonl_ranges` cuts archives into ranges that
workers read in parallel, :mod:`html` turns a page's bytes into a document, :mod:`extraction`
picks the story out of the page (newspaper4k checked by trafilatura), :mod:`newspaper` runs
newspaper4k offline, and :mod:`dates` finds publication dates written in text.
"""
