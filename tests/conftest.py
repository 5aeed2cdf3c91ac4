"""Shared fixtures. Real objects from factories; only what leaves the process is faked."""

import pytest
from django.core.management import call_command


@pytest.fixture
def demo(db):
    """The concept-note workshop as ``seed_demo`` loads it."""
    from agenda.models import Workshop

    call_command("seed_demo", force=True, verbosity=0)
    return Workshop.objects.get(slug="crm-gtgf-trafico-ilicito-migrantes-2022")


@pytest.fixture(autouse=True)
def _spanish_by_default():
    """Each test starts in the default language: a request under /en/ leaves English active
    in the thread, which would otherwise leak into the next test."""
    from django.utils import translation

    translation.activate("es")
    yield
    translation.deactivate()
