"""The layouts name the site's icon, so browsers do not ask for /favicon.ico (a 404 page
rendered on every first visit)."""

import re

import pytest
from django.contrib.staticfiles import finders


def _icon_href(html: str) -> str:
    (href,) = re.findall(r'<link rel="icon" href="([^"]+)" type="image/svg\+xml">', html)
    return href


@pytest.mark.parametrize("path", ["/", "/accounts/login/", "/no-such-page/"])
def test_site_layout_names_an_icon_that_exists(client, demo, path):
    href = _icon_href(client.get(path).content.decode())

    assert href == "/static/img/favicon.svg"
    assert finders.find("img/favicon.svg")


def test_admin_layout_names_the_same_icon(admin_client, settings):
    settings.ADMIN_REQUIRE_MFA = False  # the admin's own layout, not the MFA set-up page

    html = admin_client.get("/admin/").content.decode()

    assert "/static/css/admin.css" in html
    assert _icon_href(html) == "/static/img/favicon.svg"
