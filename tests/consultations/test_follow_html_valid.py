"""The follow-up page is valid HTML per the W3C Nu checker (vnu), in both languages, with its
SVG chart, extensions and remind buttons, and in its empty state (one vnu run)."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from consultations.models import QuestionAssignment, TriggerQuestion
from consultations.services import deadline_extend
from tests.admin_factories import AnswerFactory
from tests.factories import WorkshopFactory
from tests.test_html_valid import JAVA, KNOWN_INVALID, KNOWN_INVALID_ERROR, _vnu_errors

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(JAVA is None, reason="Java is not installed: vnu.jar needs it"),
]


def test_follow_up_page_is_valid_html(people, client_as, demo, tmp_path):
    sv = demo.delegations.get(country_id="SV")
    first = TriggerQuestion.objects.get(workshop=demo, code="TQ-S1-1")
    AnswerFactory(question=first, delegation=sv, status="submitted", submitted_at=timezone.now())
    AnswerFactory(question=TriggerQuestion.objects.get(code="TQ-S1-2"), delegation=sv)
    deadline_extend(
        assignment=QuestionAssignment.objects.get(question=first, country_id="MX"),
        until=timezone.now() + dt.timedelta(days=30),
        by=people["staff"],
        reason="Cambio de gabinete <b>",
    )
    client = client_as(people["staff"])
    pages = {
        "follow-up (es)": client.get(reverse("staff:consultations")).content.decode(),
        "follow-up (en)": client.get("/en" + reverse("staff:consultations")).content.decode(),
    }
    WorkshopFactory(is_published=True)  # newer, nothing distributed yet
    fresh = Client()  # without the English page's language cookie
    fresh.force_login(people["staff"])
    pages["follow-up (empty)"] = fresh.get("/staff/consultations/").content.decode()
    pages["known invalid"] = KNOWN_INVALID

    errors = _vnu_errors(pages, tmp_path)

    assert errors.pop("known invalid") == [KNOWN_INVALID_ERROR]
    assert errors == {}
    assert "Cambio de gabinete &lt;b&gt;" in pages["follow-up (es)"]
    assert "<svg" in pages["follow-up (en)"]
    assert "Todavía no se ha distribuido ninguna pregunta" in pages["follow-up (empty)"]
