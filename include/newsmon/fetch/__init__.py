"""Fetching: sources on the network to documents, politely.

:mod:`sources` is the ``sources.yaml`` schema, :mod:`cycle` one fetch cycle over them,
:mod:`http` polite HTTP (conditional GETs, redirects, retries, limits), :mod:`politeness`
robots.txt and the pace per host, :mod:`netguard` where newsmon may connect, :mod:`feeds`
feed documents as entries, :mod:`pages` article pages and the feed's text when they cannot
be had, :mod:`retries` the retry queue's rule, :mod:`page_extraction` the cycle's pages
extracted in extractor processes, :mod:`telegram` public Telegram channels' preview pages
parsed, :mod:`telegram_pages` those pages read over HTTP, :mod:`telegram_channel` a cycle
over a channel and its state.
"""
