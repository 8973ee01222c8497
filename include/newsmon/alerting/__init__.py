"""Signals and the alerts that carry them to people.

:mod:`signals` raises new-story and spike signals, :mod:`channels` builds an alert's message
and names the channels, :mod:`render` writes it for Slack, email and logs, and
:mod:`delivery` works the outbox without holding the database across a network wait, with
:mod:`outbox` keeping its books in the database.
"""
