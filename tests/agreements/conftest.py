"""Fixtures shared by the agreements tests (on the seeded workshop: see tests/conftest.py)."""

import pytest

from agreements import services


@pytest.fixture
def session1(demo):
    """Session 1 of the seeded workshop; the demo moderator moderates it (and only it)."""
    return demo.sessions.get(number=1)


@pytest.fixture
def session2(demo):
    return demo.sessions.get(number=2)


@pytest.fixture
def record_agreement(people):
    """``record_agreement(session, text_es=…, by=…, **fields)``: an agreement recorded through
    the service, as the console records it (by the demo moderator unless ``by`` is given)."""

    def record(session, text_es="Compartir información sobre rutas de tráfico.", by=None, **kw):
        return services.agreement_create(
            session=session, by=by or people["moderator"], text_es=text_es, **kw
        )

    return record
