"""Shared fixtures. Real objects from factories; only what leaves the process is faked."""

import pytest
from django.core.management import call_command


@pytest.fixture
def demo(db):
    """The concept-note workshop as ``seed_demo`` loads it."""
    from agenda.models import Workshop

    call_command("seed_demo", force=True, verbosity=0)
    return Workshop.objects.get(slug="crm-gtgf-trafico-ilicito-migrantes-2022")
