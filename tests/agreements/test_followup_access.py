"""Who reaches the follow-up pages, the export and the progress form: every role, every URL,
a real POST per forbidden write with the database checked unchanged."""

import datetime as dt

import pytest
from django.urls import reverse

from agreements.models import Agreement, AgreementFollowUp
from tests.agreements.followup_helpers import scenario
from tests.conftest import ROLES

pytestmark = pytest.mark.django_db

LIST = "/staff/agreements/"
CSV = "/staff/agreements/export.csv"
XLSX = "/staff/agreements/export.xlsx"
COUNTRY = "/agreements/country/"
SIGN_IN = "/accounts/login/?next="

# GET answers per role: the staff pages as every /staff/ page (403 to signed-in others), the
# participants' page 404 to those without the right.
EXPECTED = {
    "anonymous": {LIST: 302, CSV: 302, XLSX: 302, COUNTRY: 302},
    "pending": {LIST: 403, CSV: 403, XLSX: 403, COUNTRY: 404},
    "delegate": {LIST: 403, CSV: 403, XLSX: 403, COUNTRY: 200},
    "focal_point_other": {LIST: 403, CSV: 403, XLSX: 403, COUNTRY: 200},
    "observer": {LIST: 403, CSV: 403, XLSX: 403, COUNTRY: 200},
    "moderator": {LIST: 403, CSV: 403, XLSX: 403, COUNTRY: 200},
    "staff": {LIST: 200, CSV: 200, XLSX: 200, COUNTRY: 302},
}


def test_urls_are_named_as_the_lead_asked():
    assert reverse("staff:agreements_followup") == LIST
    assert reverse("staff:agreements_export", kwargs={"fmt": "csv"}) == CSV
    assert reverse("staff:agreements_export", kwargs={"fmt": "xlsx"}) == XLSX
    assert reverse("staff:agreements_record", args=[7]) == "/staff/agreements/7/progress/"
    assert reverse("agreements:country") == COUNTRY


@pytest.mark.parametrize("role", ROLES)
def test_each_role_on_every_url_and_post(role, demo, people, client_as):
    agreements = scenario(demo, people)
    target = agreements[2]
    client = client_as(people[role])

    for path, status in EXPECTED[role].items():
        response = client.get(path)
        assert response.status_code == status, (role, path, response.status_code)
        if status == 302 and role == "anonymous":
            assert response["Location"] == SIGN_IN + path
    if role == "staff":
        assert client.get(COUNTRY)["Location"] == LIST

    before = list(AgreementFollowUp.objects.order_by("pk").values_list("pk", flat=True))
    post = {
        f"agreement-{target.pk}-status": "done",
        f"agreement-{target.pk}-date": "2022-10-01",
        f"agreement-{target.pk}-note": "Hecho.",
    }
    path = reverse("staff:agreements_record", args=[target.pk])
    response = client.post(path, post)

    target.refresh_from_db()
    after = list(AgreementFollowUp.objects.order_by("pk").values_list("pk", flat=True))
    if role == "staff":
        assert response.status_code == 302
        assert response["Location"] == f"{LIST}#agreement-2"
        assert len(after) == len(before) + 1
        assert target.follow_up_status == Agreement.FollowUp.DONE
        entry = AgreementFollowUp.objects.get(pk=after[-1])
        assert (entry.date, entry.note, entry.recorded_by) == (
            dt.date(2022, 10, 1),
            "Hecho.",
            people["staff"],
        )
    else:
        assert response.status_code == (302 if role == "anonymous" else 403)
        if role == "anonymous":
            assert response["Location"] == SIGN_IN + path
        assert after == before
        assert target.follow_up_status == Agreement.FollowUp.NOT_STARTED


def test_staff_unknown_export_format_agreement_and_method(demo, people, client_as):
    agreements = scenario(demo, people)
    client = client_as(people["staff"])

    assert client.get("/staff/agreements/export.pdf").status_code == 404
    assert client.post("/staff/agreements/999999/progress/", {}).status_code == 404
    assert client.get(f"/staff/agreements/{agreements[1].pk}/progress/").status_code == 405
    assert client.post(LIST).status_code == 405
    assert client.post(CSV).status_code == 405
    assert AgreementFollowUp.objects.count() == 3


def test_staff_pages_are_behind_the_second_factor(demo, people, client, settings):
    agreements = scenario(demo, people)
    settings.ADMIN_REQUIRE_MFA = True
    client.force_login(people["staff"])  # no authenticator yet
    record = f"/staff/agreements/{agreements[2].pk}/progress/"
    post = {f"agreement-{agreements[2].pk}-status": "done"}

    for response in [client.get(LIST), client.get(CSV), client.post(record, post)]:
        assert response.status_code == 302
        assert response["Location"] == "/accounts/2fa/totp/activate/"
    assert AgreementFollowUp.objects.count() == 3
