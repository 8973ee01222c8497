"""Fetching: sources on the network to documents, politely.

:mod:`sources` is the ``sources.yaml`` schema, :mod:`cycle` one fetch cycle over them,
:mod:`http` polite HTTP (robots.txt, conditional GETs, limits), :mod:`netguard` where newsmon
may connect, :mod:`feeds` feed documents as entries, :mod:`pages` article pages and their
retry queue, :mod:`telegram` public Telegram channels through their web preview.
"""
