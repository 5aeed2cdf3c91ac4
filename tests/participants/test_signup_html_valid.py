"""The pages of this flow are valid HTML (the W3C Nu checker, as tests/test_html_valid.py)."""

import pytest
from django.test import Client

from participants.models import Organisation, Participant, User
from tests.participants.test_invitation_link import existing_account, make_invitation
from tests.test_html_valid import JAVA, KNOWN_INVALID, KNOWN_INVALID_ERROR, _vnu_errors

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(JAVA is None, reason="Java is not installed: vnu.jar needs it"),
]


def _html(response, status=200) -> str:
    assert response.status_code == status, response.status_code
    return response.content.decode()


def test_signup_and_registration_pages_are_valid_html(demo, tmp_path, client_as, people):
    pages = {"known invalid page": KNOWN_INVALID}
    invited = Client()
    invitation = make_invitation(demo)
    invited.get(f"/invitation/{invitation.token}/")
    pages["invitation sign-up"] = _html(invited.get("/accounts/signup/"))
    pages["invitation sign-up (errors)"] = _html(
        invited.post("/accounts/signup/", {"first_name": "A\nB", "password1": "1"})
    )
    anonymous = Client()
    pages["self sign-up (errors)"] = _html(
        anonymous.post(
            "/accounts/signup/",
            {"email": "x", "country": "MX", "organisation": Organisation.objects.first().pk},
        )
    )
    pages["invitation unknown"] = _html(anonymous.get("/invitation/nada/"), 404)
    pages["invitation unknown (en)"] = _html(anonymous.get("/en/invitation/nada/"), 404)
    other = make_invitation(demo, email="con.cuenta@example.org")
    existing_account(email="con.cuenta@example.org")
    pages["invitation sign in"] = _html(anonymous.get(f"/invitation/{other.token}/"))
    pages["invitation other account"] = _html(
        client_as(people["delegate"]).get(f"/invitation/{other.token}/"), 403
    )
    pages["registration status (pending)"] = _html(
        client_as(people["pending"]).get("/registration/")
    )
    Participant.objects.filter(user=people["pending"]).update(registration_status="rejected")
    pages["registration status (rejected, en)"] = _html(
        client_as(people["pending"]).get("/en/registration/")
    )
    pages["registration staff"] = _html(client_as(people["staff"]).get("/registration/"))
    lone = User.objects.create_user(username="sin", email="sin@example.org")
    pages["registration form"] = _html(client_as(lone).get("/registration/"))
    pages["registration form (errors)"] = _html(
        client_as(lone).post("/registration/", {"country": "ZZ", "time_zone": "x"})
    )

    errors = _vnu_errors(pages, tmp_path)

    assert errors.pop("known invalid page") == [KNOWN_INVALID_ERROR]
    assert errors == {}, "\n".join(
        f"{page}:\n  " + "\n  ".join(messages) for page, messages in errors.items()
    )
