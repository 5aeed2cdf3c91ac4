"""Reads of the agreements for the pages that show them (index, live view).

Each function loads what its page shows in a fixed number of queries, whatever the number
of agreements, sessions, countries or organisations; the templates filter nothing and ask
the database nothing.
"""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from agenda.models import Session, Workshop
from agreements.models import Agreement, SessionRecord


def _agreements() -> QuerySet[Agreement]:
    """Agreements with what a row shows: agenda block and axis joined (same query),
    responsible countries and organisations prefetched (one query each)."""
    return (
        Agreement.objects.select_related("agenda_item", "axis")
        .prefetch_related("responsible_countries", "responsible_organisations")
        .order_by("number")
    )


def workshop_agreements(*, workshop: Workshop) -> list[Session]:
    """The sessions of ``workshop`` in their order, each with its ``agreements`` (all of
    them, withdrawn ones included, by number, in ``session.agreement_list``) and its
    ``agreement_record`` (``None`` when nothing was recorded yet: the session is open).

    Always 4 queries: sessions with their records, agreements with block and axis,
    responsible countries, responsible organisations.
    """
    sessions = list(
        Session.objects.filter(workshop=workshop)
        .select_related("agreement_record")
        .prefetch_related(Prefetch("agreements", queryset=_agreements(), to_attr="agreement_list"))
        .order_by("number")
    )
    return sessions


def session_agreements(*, session: Session) -> list[Agreement]:
    """The agreements of ``session`` by number, withdrawn ones included.

    Always 3 queries: agreements with block and axis, responsible countries, responsible
    organisations.
    """
    return list(_agreements().filter(session=session))


def session_with_record(*, workshop: Workshop, number: int) -> Session | None:
    """Session ``number`` of ``workshop`` with its agreements' record (``agreement_record``,
    ``None`` if none yet), or None. Always 1 query."""
    return (
        Session.objects.filter(workshop=workshop, number=number)
        .select_related("agreement_record")
        .first()
    )


def session_revision(*, session_id: int) -> int:
    """The revision of the session's agreements (0 before the first change). Always exactly
    1 query, on the record's unique ``session_id``: what an unchanged live poll costs."""
    revision = (
        SessionRecord.objects.filter(session_id=session_id)
        .values_list("revision", flat=True)
        .first()
    )
    return revision or 0


def record_of(session: Session) -> SessionRecord | None:
    """The record loaded by ``select_related`` (no query), or None."""
    try:
        return session.agreement_record
    except SessionRecord.DoesNotExist:
        return None
