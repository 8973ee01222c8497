"""The delivery tests' local Slack webhook, SMTP server and configured channels, shared."""

from tests.integration.test_delivery import configured, mailbox, webhook  # noqa: F401
