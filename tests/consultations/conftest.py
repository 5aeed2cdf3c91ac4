"""Fixtures shared by the consultation tests (``broker_down`` lives in tests/conftest.py)."""
