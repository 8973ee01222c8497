"""Signals and the alerts that carry them to people.

:mod:`signals` raises new-story and spike signals, :mod:`channels` builds an alert's message
and names the channels, :mod:`render` writes it for Slack, email and logs (with
:mod:`escaping` for what came from articles, and :mod:`render_brief` for the morning
brief), and :mod:`outbox` keeps the alert outbox's books in the database (the alerts flow
that works it is :mod:`newsmon.flows.deliver`). :mod:`atom_feeds` writes the feeds out.

Watchlists: :mod:`watchlists` reads and checks the file (:mod:`watch_query` the query
syntax, :mod:`schedules` the delivery times, :mod:`brief_settings` the general brief's),
:mod:`watch_matching` decides which watchlists an article matches, and
:mod:`watch_signals` records the matches and their signals in the signals stage.
"""
