"""Signals and the alerts that carry them to people.

:mod:`signals` raises new-story and spike signals, :mod:`channels` builds an alert's message
and names the channels, :mod:`render` writes it for Slack, email and logs, and
:mod:`outbox` keeps the alert outbox's books in the database (the alerts flow that works it
is :mod:`newsmon.flows.deliver`).
"""
