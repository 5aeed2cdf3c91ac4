"""The follow-up pages are valid HTML (vnu, in one run, with a known-invalid page as a
control that the checker really ran)."""

import pytest

from participants.models import Participant
from tests.agreements.followup_helpers import HOSTILE, add_entry, scenario
from tests.test_html_valid import JAVA, KNOWN_INVALID, KNOWN_INVALID_ERROR, _get, _vnu_errors

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(JAVA is None, reason="Java is not installed: vnu.jar needs it"),
]


def test_every_followup_page_is_valid_html(demo, people, client_as, tmp_path):
    staff = client_as(people["staff"])
    pages = {
        "known invalid page": KNOWN_INVALID,
        "staff, no agreements": _get(staff, "/staff/agreements/"),
    }
    agreements = scenario(demo, people)
    add_entry(
        agreements[3],
        by=people["staff"],
        status="in_progress",
        date=agreements[3].session.start.date(),
        note='Texto con <b>marcas</b> & "comillas".\n\nSegundo párrafo. ' + HOSTILE,
    )
    for path in [
        "/staff/agreements/",
        "/staff/agreements/?follow_up=in_progress&country=MX&session=2&overdue=on",
        "/staff/agreements/?follow_up=finished&session=9",
        "/staff/agreements/?country=CR",
        "/en/staff/agreements/",
    ]:
        pages[f"{path} (staff)"] = staff.get(path).content.decode()
    target = agreements[2]
    invalid = staff.post(
        f"/staff/agreements/{target.pk}/progress/",
        {
            f"agreement-{target.pk}-status": "finished",
            f"agreement-{target.pk}-date": "2099-01-01",
            f"agreement-{target.pk}-note": "",
        },
    )
    assert invalid.status_code == 400
    pages["record with errors (staff)"] = invalid.content.decode()

    for role in ["delegate", "focal_point_other", "observer", "moderator"]:
        client = client_as(people[role])
        pages[f"/agreements/country/ ({role})"] = _get(client, "/agreements/country/")
        pages[f"/en/agreements/country/ ({role})"] = _get(client, "/en/agreements/country/")
        pages[f"/home/ ({role})"] = _get(client, "/home/")
    Participant.objects.filter(user=people["observer"], workshop=demo).update(organisation=None)
    observer = client_as(people["observer"])
    pages["/agreements/country/ (no party)"] = _get(observer, "/agreements/country/")
    pages["/home/ (no party)"] = _get(observer, "/home/")

    errors = _vnu_errors(pages, tmp_path)

    assert errors.pop("known invalid page") == [KNOWN_INVALID_ERROR]
    assert errors == {}, "\n".join(
        f"{page}:\n  " + "\n  ".join(messages) for page, messages in errors.items()
    )
