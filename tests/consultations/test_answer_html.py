"""Every state of the delegation's answer pages is valid HTML (vnu, one run)."""

import datetime as dt

import pytest
from django.utils import timezone

from consultations.services import answer_reopen, answer_save
from participants.models import Participant
from tests.consultations.answer_helpers import (
    DELEGADA_SV,
    DELEGADO_SV,
    history_url,
    post,
    question,
    url,
    user,
)
from tests.test_html_valid import JAVA, KNOWN_INVALID, KNOWN_INVALID_ERROR, _vnu_errors

pytestmark = pytest.mark.skipif(JAVA is None, reason="Java is not installed (vnu needs it)")

MARKUP = "<script>alert(1)</script>\n<b>negrita</b> & «comillas»"


def test_every_answer_page_state_is_valid_html(people, client_as, tmp_path):
    pages = {"known invalid page": KNOWN_INVALID}
    colleague = client_as(user(DELEGADA_SV))
    pages["list (nothing written)"] = colleague.get("/consultations/").text
    pages["answer (empty form)"] = colleague.get(url()).text
    post(colleague, text=MARKUP, version=0)
    pages["answer (draft, colleague)"] = colleague.get(url()).text
    pages["answer (submit refused)"] = post(colleague, text="x", version=1, action="submit").text
    pages["answer (too long)"] = post(colleague, text="y" * 20_001, version=1).text
    focal = client_as(user(DELEGADO_SV))
    pages["answer (draft, focal point)"] = focal.get(url()).text
    conflict = post(focal, text=MARKUP + " otro", version=0)
    assert conflict.status_code == 409
    pages["answer (conflict)"] = conflict.text
    post(focal, text=MARKUP, version=1, action="submit")
    pages["answer (submitted)"] = focal.get(url()).text
    pages["answer (posted after submission)"] = post(focal, text="tarde", version=1).text
    pages["list (one submitted)"] = focal.get("/consultations/").text
    pages["history"] = focal.get(history_url()).text
    answer_reopen(answer=question().answers.get(), by=people["staff"], reason="Falta un <dato>")
    pages["answer (reopened)"] = focal.get(url()).text
    pages["history (reopened)"] = focal.get(history_url()).text
    closed = question("TQ-S1-2")
    answer_save(
        question=closed,
        participant=Participant.objects.get(user=user(DELEGADA_SV)),
        text="Antes",
        expected_version=0,
    )
    closed.deadline = timezone.now() - dt.timedelta(minutes=1)
    closed.save()
    pages["answer (closed)"] = focal.get(url("TQ-S1-2")).text
    pages["answer (posted after deadline)"] = post(
        focal, text="Después", version=1, code="TQ-S1-2"
    ).text
    pages["/en/ list"] = focal.get("/en/consultations/").text
    pages["/en/ answer"] = focal.get("/en" + url()).text
    pages["list (staff)"] = client_as(people["staff"]).get("/consultations/").text
    pages["list (observer)"] = client_as(people["observer"]).get("/consultations/").text

    errors = _vnu_errors(pages, tmp_path)

    assert errors.pop("known invalid page") == [KNOWN_INVALID_ERROR]
    assert errors == {}
