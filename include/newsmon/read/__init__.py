"""Reading: files, JSON Lines ranges and HTML pages into documents (:class:`~newsmon.records.RawDoc`).

:mod:`files` finds and reads input files, :mod:`jsonl_ranges` cuts archives into ranges that
workers read in parallel, :mod:`html` turns a page's bytes into a document, :mod:`extraction`
picks the story out of the page (newspaper4k checked by trafilatura, run offline by
:mod:`newspaper`, its tree cleaning made linear by :mod:`linear_tree_cleaning`),
:mod:`boilerplate` compiles the publisher-boilerplate rules the extractor and the cleaner
share, :mod:`language` decides a text's language, and :mod:`dates` finds dates in text.
"""
