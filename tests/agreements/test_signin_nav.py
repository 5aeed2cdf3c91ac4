"""The header's "Acuerdos" link is decided at sign-in (then remembered in the session)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.conftest import ROLES

LINK = 'href="/agreements/"'
SHOWN = {"delegate", "focal_point_other", "observer", "moderator", "staff"}


@pytest.mark.parametrize("role", [r for r in ROLES if r != "anonymous"])
def test_link_shown_on_the_first_page_after_sign_in(people, client_as, role):
    client = client_as(people[role])  # force_login sends user_logged_in, as allauth does

    html = client.get("/agenda/").text

    assert (LINK in html) is (role in SHOWN)


def test_deciding_the_link_costs_no_query_on_later_pages(people, client_as):
    client = client_as(people["observer"])
    client.get("/agenda/")
    with CaptureQueriesContext(connection) as first:
        client.get("/agenda/")
    with CaptureQueriesContext(connection) as second:
        html = client.get("/agenda/").text
    assert LINK in html
    assert len(second) == len(first)
