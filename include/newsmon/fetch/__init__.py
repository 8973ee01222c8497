"""Fetching: sources on the network to documents, politely.

:mod:`sources` is the ``sources.yaml`` schema and :mod:`cycle` one fetch cycle over them.
:mod:`http` is polite HTTP (conditional GETs, limits), with robots.txt and the pace per host
in :mod:`politeness` and where newsmon may connect in :mod:`netguard`. :mod:`feeds` reads a
feed document as entries; :mod:`pages` fetches an entry's page, :mod:`page_extraction` makes
it a document in extractor processes, and :mod:`retries` is the retry queue's rule.
:mod:`telegram` parses a public channel's preview, :mod:`telegram_pages` reads its pages and
:mod:`telegram_channel` keeps the channel's state between cycles.
"""
