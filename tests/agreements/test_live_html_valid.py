"""The agreements index and live pages are valid HTML (vnu, one run, with a known-invalid
page as a control that the checker really ran). The live fragment is checked inside the
page it replaces a part of."""

import pytest

from agreements import services
from tests.agreements.live_helpers import HOSTILE, poll_url
from tests.test_html_valid import JAVA, KNOWN_INVALID, KNOWN_INVALID_ERROR, _get, _vnu_errors

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(JAVA is None, reason="Java is not installed: vnu.jar needs it"),
]


def test_agreements_pages_are_valid_html(people, client_as, session1, session2, tmp_path):
    moderator = people["moderator"]
    services.agreement_create(session=session1, by=moderator, text_es="Texto <b>y</b> & más.")
    withdrawn = services.agreement_create(session=session1, by=moderator, text_en="Only English")
    services.agreement_set_status(
        agreement=withdrawn, by=moderator, status="withdrawn", expected_version=1
    )
    services.session_close(session=session2, by=moderator)
    client = client_as(people["delegate"])
    pages = {"known invalid page": KNOWN_INVALID}
    for prefix in ("", "/en"):
        for path in ("/agreements/", "/agreements/session/1/live/", "/agreements/session/2/live/"):
            pages[prefix + path] = _get(client, prefix + path)
    page = pages["/agreements/session/1/live/"]
    services.agreement_create(session=session1, by=moderator, text_es=HOSTILE)
    fragment = client.get(poll_url(page)).content.decode()
    start = page.index('<div id="live-agreements"')
    end = page.index("</main>")
    pages["live page after a poll"] = page[:start] + fragment + "\n</main>" + page[end + 7 :]

    errors = _vnu_errors(pages, tmp_path)

    assert errors.pop("known invalid page") == [KNOWN_INVALID_ERROR]
    assert errors == {}, "\n".join(
        f"{page}:\n  " + "\n  ".join(messages) for page, messages in errors.items()
    )
