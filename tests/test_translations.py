"""English is complete: every translatable string in the code has an English translation."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.utils import translation

ROOT = Path(__file__).resolve().parent.parent
PO_FILE = ROOT / "locale" / "en" / "LC_MESSAGES" / "django.po"

needs_gettext = pytest.mark.skipif(
    shutil.which("xgettext") is None or shutil.which("msgattrib") is None,
    reason="GNU gettext (xgettext, msgattrib) is not installed",
)


def _msgids(po_text: str) -> set[str]:
    """The msgids of a .po file (multi-line ids joined), header excluded."""
    ids, current, in_id = set(), [], False
    for line in po_text.splitlines():
        if line.startswith("msgid "):
            current, in_id = [line[6:].strip().strip('"')], True
        elif in_id and line.startswith('"'):
            current.append(line.strip().strip('"'))
        else:
            if in_id and "".join(current):
                ids.add("".join(current))
            in_id = False
    return ids


@needs_gettext
def test_english_catalogue_has_no_untranslated_or_fuzzy_entries():
    untranslated = subprocess.run(
        ["msgattrib", "--untranslated", "--no-obsolete", str(PO_FILE)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    fuzzy = subprocess.run(
        ["msgattrib", "--only-fuzzy", "--no-obsolete", str(PO_FILE)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert sorted(_msgids(untranslated)) == []
    assert sorted(_msgids(fuzzy)) == []


@needs_gettext
def test_english_catalogue_covers_every_string_in_the_code(tmp_path):
    """A fresh makemessages over a copy of the code finds no msgid the catalogue lacks."""
    copy = tmp_path / "src"
    shutil.copytree(
        ROOT,
        copy,
        ignore=shutil.ignore_patterns(
            ".venv",
            ".git",
            "staticfiles",
            "media",
            "node_modules",
            "test-results",
            "*.sqlite3",
            "__pycache__",
        ),
    )
    subprocess.run(
        [
            sys.executable,
            "manage.py",
            "makemessages",
            "-l",
            "en",
            "--ignore=tests",
            "--ignore=bench",
            "--no-obsolete",
        ],
        cwd=copy,
        check=True,
        capture_output=True,
        env={"PATH": "/usr/bin:/bin", "DJANGO_SETTINGS_MODULE": "crm_workshop.settings.test"},
    )
    fresh = _msgids((copy / "locale" / "en" / "LC_MESSAGES" / "django.po").read_text())
    committed = _msgids(PO_FILE.read_text())
    assert sorted(fresh - committed) == []


def test_english_translation_is_compiled_and_loaded():
    with translation.override("en"):
        assert translation.gettext("Por confirmar") == "To be confirmed"
        assert translation.gettext("Por definir") == "To be defined"
    with translation.override("es"):
        assert translation.gettext("Por confirmar") == "Por confirmar"


def test_submitted_answer_and_sent_invitation_read_differently_in_english():
    from consultations.models import Answer
    from participants.models import Invitation

    with translation.override("en"):
        assert str(Answer.Status.SUBMITTED.label) == "Submitted"
        assert str(Invitation.Status.SENT.label) == "Sent"
    with translation.override("es"):
        assert str(Answer.Status.SUBMITTED.label) == "Enviada"
        assert str(Invitation.Status.SENT.label) == "Enviada"


@pytest.mark.django_db
def test_admin_labels_follow_the_language_of_the_url(client, settings):
    from tests.factories import UserFactory

    settings.ADMIN_REQUIRE_MFA = False
    client.force_login(UserFactory(is_staff=True, is_superuser=True))

    spanish = client.get("/admin/agenda/session/").content.decode()
    english = client.get("/en/admin/agenda/session/").content.decode()

    assert "Seleccione sesión a modificar" in spanish
    assert "Select session to change" in english
    assert "bloques de la agenda" in client.get("/admin/").content.decode().lower()
    assert "agenda blocks" in client.get("/en/admin/").content.decode().lower()
