"""Helpers of the agreements index and live-view tests (tests/agreements/test_index*.py,
test_live*.py)."""

from __future__ import annotations

import re
import time

from django.core import signing
from django.db import connection
from django.test.utils import CaptureQueriesContext

from agreements.views import live

HOSTILE = '<script>alert("x")</script> <img src=file:///etc/passwd> & «texto»'


def poll_url(html: str) -> str:
    """The poll URL the page's (or fragment's) htmx element asks next."""
    found = re.search(r'hx-get="([^"]+)"', html)
    assert found, "no hx-get in the page"
    return found.group(1).replace("&amp;", "&")


def token_of(url: str) -> str:
    return re.search(r"[?&]t=([^&]+)", url).group(1)


def with_token(url: str, token: str) -> str:
    return re.sub(r"([?&]t=)[^&]+", lambda m: m.group(1) + token, url)


def aged(token: str, *, seconds: int) -> str:
    """``token`` signed again ``seconds`` ago (same claims, genuine signature)."""
    value = signing.TimestampSigner(salt=live.TOKEN_SALT).unsign(token)

    class Past(signing.TimestampSigner):
        def timestamp(self):
            return signing.b62_encode(int(time.time()) - seconds)

    return Past(salt=live.TOKEN_SALT).sign(value)


def get_counted(client, url: str, **headers):
    """(response, [SQL]) of a GET through the full stack, middleware included."""
    with CaptureQueriesContext(connection) as context:
        response = client.get(url, headers=headers)
    return response, [query["sql"] for query in context.captured_queries]
