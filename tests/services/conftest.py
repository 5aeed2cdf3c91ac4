"""Fixtures for this folder: ``smtp_sink`` (a real SMTP server, see tests/smtp_sink.py)."""

from tests.smtp_sink import smtp_sink  # noqa: F401 - registers the fixture
