"""Helpers of the minutes tests: content to put in the minutes, and reading a PDF back."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
from pathlib import Path

from agreements import services
from agreements.models import Agreement
from consultations.models import Answer, TriggerQuestion

HOSTILE = '<script>alert("x")</script> <img src="file:///etc/passwd"> & <b>negrita</b>'
SUBMITTED_AT = dt.datetime(2022, 6, 10, 20, 30, tzinfo=dt.UTC)  # 14:30 in San Salvador


def use_media(settings, tmp_path) -> Path:
    """Stored files of this test under its own temporary folder."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return Path(settings.MEDIA_ROOT)


def submit(demo, code: str, country: str, text: str, *, by=None) -> Answer:
    question = TriggerQuestion.objects.get(workshop=demo, code=code)
    return Answer.objects.create(
        question=question,
        delegation=demo.delegations.get(country_id=country),
        text=text,
        status=Answer.Status.SUBMITTED,
        version=2,
        submitted_at=SUBMITTED_AT,
        submitted_by=by,
        edited_by=by,
    )


def draft(demo, code: str, country: str, text: str) -> Answer:
    question = TriggerQuestion.objects.get(workshop=demo, code=code)
    return Answer.objects.create(
        question=question, delegation=demo.delegations.get(country_id=country), text=text
    )


def add_content(demo, people, session1, session2) -> dict:
    """Answers (submitted, one hostile, one draft) and agreements (one hostile, one
    withdrawn, one with responsible parties and a due date) on the seeded workshop."""
    from participants.models import Country, Organisation

    staff = people["staff"]
    submit(demo, "TQ-S1-1", "SV", "El Salvador comparte alertas migratorias.", by=staff)
    submit(demo, "TQ-S1-1", "MX", HOSTILE, by=staff)
    submit(demo, "TQ-S2-1", "CR", "Costa Rica coordina con la Fiscalía.", by=staff)
    draft(demo, "TQ-S1-1", "GT", "BORRADOR-GUATEMALA-NO-ENVIADO")
    first = services.agreement_create(
        session=session1,
        by=staff,
        text_es="Crear una red de puntos de contacto.",
        text_en="Create a network of contact points.",
        due_date=dt.date(2022, 12, 31),
        countries=Country.objects.filter(iso_code__in=["MX", "SV"]),
        organisations=Organisation.objects.filter(code="OIM"),
        term=Agreement.Term.MEDIUM,
        status=Agreement.Status.ADOPTED,
    )
    services.agreement_create(session=session1, by=staff, text_es=HOSTILE)
    withdrawn = services.agreement_create(
        session=session2, by=staff, text_es="Acuerdo que se retiró después."
    )
    services.agreement_set_status(
        agreement=withdrawn,
        by=staff,
        status=Agreement.Status.WITHDRAWN,
        expected_version=withdrawn.version,
    )
    return {"first": first, "withdrawn": withdrawn}


# The watermark's letters, which pdftotext scatters one or two at a time among the lines it
# crosses (``watermarks`` reads them back by their size).
_WATERMARK_LETTERS = set("BORADFT")


def pdf_text(path) -> str:
    """The PDF's text as laid out (``pdftotext -layout``), whitespace collapsed, without the
    draft watermark's stray single letters."""
    out = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout
    return " ".join(
        word for word in out.split() if not (len(word) <= 2 and set(word) <= _WATERMARK_LETTERS)
    )


def pdf_cells(path) -> str:
    """The PDF's text in content order (``pdftotext -raw``: a table row cell by cell, each
    cell whole), whitespace collapsed, without the watermark's letters."""
    out = subprocess.run(
        ["pdftotext", "-raw", str(path), "-"],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout
    return " ".join(
        word for word in out.split() if not (len(word) <= 2 and set(word) <= _WATERMARK_LETTERS)
    )


def pdf_pages(path) -> int:
    info = subprocess.run(
        ["pdfinfo", str(path)], capture_output=True, text=True, check=True, timeout=60
    ).stdout
    return int(next(line for line in info.splitlines() if line.startswith("Pages:")).split()[1])


_WORD = re.compile(
    r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>'
)


def watermarks(path) -> list[str]:
    """Per page, the big letters (taller than 40 pt: only the diagonal watermark's) read left
    to right: ``"BORRADOR"`` on every page of a draft, ``""`` without a watermark."""
    out = subprocess.run(
        ["pdftotext", "-bbox", str(path), "-"],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout
    pages = []
    for page in out.split("<page ")[1:]:
        letters = [
            (float(x0), word)
            for x0, y0, _x1, y1, word in _WORD.findall(page)
            if float(y1) - float(y0) > 40
        ]
        pages.append("".join(word for _x, word in sorted(letters)))
    return pages
