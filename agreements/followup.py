"""The follow-up of the agreements after the workshop: reads for the Secretaría's page, the
participants' page and their home card, the export, and recording an entry once.

Reads load what a page needs in a fixed number of queries, whatever the number of agreements
and entries: ``followup_agreements`` is always 4 queries (agreements with their session, the
responsible countries, the responsible organisations, the entries with who recorded them);
``party_counts`` is one. Every agreement comes back with ``entries`` (newest first, the
order in which the latest one decides the status), ``latest`` (that entry or ``None``) and
``overdue``. "Today" is the workshop's day, in its reference zone: an agreement is overdue
when its due date is before that day, it is not done, and it was not withdrawn.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

import tablib
from django.db import transaction
from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from agreements import services
from agreements.models import Agreement, AgreementFollowUp
from crm_workshop.exports import formula_safe
from crm_workshop.i18n import active_content_language

FollowUp = Agreement.FollowUp


def workshop_today(workshop) -> dt.date:
    """The current day in the workshop's reference zone."""
    return timezone.now().astimezone(workshop.zone).date()


@dataclass(frozen=True)
class Filters:
    """What the Secretaría narrowed the list to (``None``/``False``: no filter)."""

    follow_up: str | None = None
    country_id: str | None = None
    session_id: int | None = None
    overdue: bool = False

    @property
    def active(self) -> bool:
        return bool(self.follow_up or self.country_id or self.session_id or self.overdue)


def _with_details(queryset: QuerySet) -> QuerySet:
    entries = AgreementFollowUp.objects.select_related("recorded_by").order_by(
        "-date", "-recorded_at", "-pk"
    )
    return queryset.select_related("session").prefetch_related(
        "responsible_countries",
        "responsible_organisations",
        Prefetch("follow_ups", queryset=entries, to_attr="entries"),
    )


def _decorate(agreements: Iterable[Agreement], *, today: dt.date) -> list[Agreement]:
    rows = list(agreements)
    language = active_content_language()
    for agreement in rows:
        # The language of ``agreement.text`` (the other one when only that was written).
        if language == "en":
            agreement.text_lang = "en" if agreement.text_en else "es"
        else:
            agreement.text_lang = "es" if agreement.text_es else "en"
        agreement.latest = agreement.entries[0] if agreement.entries else None
        agreement.overdue = is_overdue(agreement, today=today)
    return rows


def is_overdue(agreement: Agreement, *, today: dt.date) -> bool:
    """Its due date is before ``today``, it is not done, and it was not withdrawn."""
    return (
        agreement.due_date is not None
        and agreement.due_date < today
        and agreement.follow_up_status != FollowUp.DONE
        and agreement.status != Agreement.Status.WITHDRAWN
    )


def _overdue_q(today: dt.date) -> Q:
    return (
        Q(due_date__lt=today)
        & ~Q(follow_up_status=FollowUp.DONE)
        & ~Q(status=Agreement.Status.WITHDRAWN)
    )


def followup_agreements(*, workshop, filters: Filters, today: dt.date) -> list[Agreement]:
    """Every agreement of ``workshop`` (withdrawn ones too: staff see what happened to each)
    that matches ``filters``, in number order. Always 4 queries."""
    queryset = Agreement.objects.filter(workshop=workshop)
    if filters.follow_up:
        queryset = queryset.filter(follow_up_status=filters.follow_up)
    if filters.country_id:
        queryset = queryset.filter(responsible_countries=filters.country_id)
    if filters.session_id:
        queryset = queryset.filter(session_id=filters.session_id)
    if filters.overdue:
        queryset = queryset.filter(_overdue_q(today))
    return _decorate(_with_details(queryset.order_by("number")), today=today)


def _party_q(*, country_id: str | None, organisation_id: int | None) -> Q | None:
    q = Q()
    if country_id:
        q |= Q(responsible_countries=country_id)
    if organisation_id:
        q |= Q(responsible_organisations=organisation_id)
    return q or None


def party_agreements(
    *, workshop, country_id: str | None, organisation_id: int | None, today: dt.date
) -> list[Agreement]:
    """The agreements of ``workshop`` that name the country or the organisation among those
    responsible, withdrawn ones left out, in number order. Always 4 queries (none when
    neither is given)."""
    q = _party_q(country_id=country_id, organisation_id=organisation_id)
    if q is None:
        return []
    ids = Agreement.objects.filter(q, workshop=workshop).values("pk")
    queryset = (
        Agreement.objects.filter(pk__in=ids)
        .exclude(status=Agreement.Status.WITHDRAWN)
        .order_by("number")
    )
    return _decorate(_with_details(queryset), today=today)


@dataclass
class PartyCounts:
    """How many of a party's agreements are at each follow-up status, and how many overdue."""

    not_started: int = 0
    in_progress: int = 0
    done: int = 0
    overdue: int = 0

    @property
    def total(self) -> int:
        return self.not_started + self.in_progress + self.done

    def rows(self) -> list[tuple[str, str, int]]:
        """``(status, label, count)`` in the order of the follow-up."""
        return [
            (FollowUp.NOT_STARTED, FollowUp.NOT_STARTED.label, self.not_started),
            (FollowUp.IN_PROGRESS, FollowUp.IN_PROGRESS.label, self.in_progress),
            (FollowUp.DONE, FollowUp.DONE.label, self.done),
        ]


def party_counts(
    *, workshop, country_id: str | None, organisation_id: int | None, today: dt.date
) -> PartyCounts:
    """The counts of ``party_agreements`` by follow-up status. One query (none when neither
    country nor organisation is given)."""
    counts = PartyCounts()
    q = _party_q(country_id=country_id, organisation_id=organisation_id)
    if q is None:
        return counts
    grouped = (
        Agreement.objects.filter(q, workshop=workshop)
        .exclude(status=Agreement.Status.WITHDRAWN)
        .values("follow_up_status")
        .annotate(
            n=Count("pk", distinct=True),
            late=Count("pk", distinct=True, filter=_overdue_q(today)),
        )
        .order_by()
    )
    for row in grouped:
        setattr(counts, row["follow_up_status"], row["n"])
        counts.overdue += row["late"]
    return counts


@dataclass(frozen=True)
class Party:
    """Whom a participant's agreements are those of: their delegation's country, their
    organisation, both or neither."""

    country: object | None = None
    organisation: object | None = None

    @property
    def exists(self) -> bool:
        return self.country is not None or self.organisation is not None

    @property
    def country_id(self) -> str | None:
        return self.country.pk if self.country is not None else None

    @property
    def organisation_id(self) -> int | None:
        return self.organisation.pk if self.organisation is not None else None

    @property
    def label(self) -> str:
        """``México``, ``RROCM``, or ``México o SSPC``."""
        if self.country is not None and self.organisation is not None:
            return _("%(country)s o %(organisation)s") % {
                "country": self.country.name,
                "organisation": self.organisation.short_name,
            }
        if self.country is not None:
            return self.country.name
        if self.organisation is not None:
            return self.organisation.short_name
        return ""

    @property
    def title(self) -> str:
        if self.country is not None:
            return _("Los acuerdos de %(country)s") % {"country": self.country.name}
        if self.organisation is not None:
            return _("Los acuerdos de %(organisation)s") % {
                "organisation": self.organisation.short_name
            }
        return _("Los acuerdos de su país")


def participant_party(participant) -> Party:
    """The party of ``participant`` (``None``: nobody's). Reads only what is loaded with it
    (``delegation__country``, ``organisation``)."""
    if participant is None:
        return Party()
    delegation = participant.delegation
    return Party(
        country=delegation.country if delegation is not None else None,
        organisation=participant.organisation,
    )


# --- Recording ---------------------------------------------------------------------------------


def followup_record_once(
    *, agreement: Agreement, by, status: str, date: dt.date, note: str
) -> AgreementFollowUp | None:
    """Record the entry through ``services.followup_record``, unless the agreement already
    has the very same one (same status, date and note): then nothing is written and ``None``
    comes back. A form sent twice (double click, the browser resending it) so records once.
    The check and the write hold the agreement's row lock, so two copies cannot both pass."""
    note = (note or "").replace("\r\n", "\n").strip()
    with transaction.atomic():
        Agreement.objects.select_for_update(of=("self",)).filter(pk=agreement.pk).first()
        if AgreementFollowUp.objects.filter(
            agreement=agreement, status=status, date=date, note=note
        ).exists():
            return None
        return services.followup_record(
            agreement=agreement, by=by, status=status, date=date, note=note
        )


# --- Export ------------------------------------------------------------------------------------


def _names(objects: Iterable) -> str:
    return "; ".join(str(obj) for obj in objects)


def followup_dataset(*, agreements: list[Agreement]) -> tablib.Dataset:
    """The agreements (from ``followup_agreements``) as rows, headers in the active language,
    every cell through ``formula_safe``: no spreadsheet evaluates any of it. Dates are dates
    (ISO ``YYYY-MM-DD`` in the CSV); an empty cell is ``""``."""
    headers = [
        _("número"),
        _("sesión"),
        _("texto (español)"),
        _("texto (inglés)"),
        _("estado"),
        _("países responsables"),
        _("organizaciones responsables"),
        _("plazo"),
        _("fecha de cumplimiento"),
        _("seguimiento"),
        _("fecha de la última nota"),
        _("última nota"),
    ]
    dataset = tablib.Dataset(headers=[formula_safe(header) for header in headers])
    for agreement in agreements:
        latest = agreement.latest
        row = [
            agreement.number,
            agreement.session.display_label,
            agreement.text_es,
            agreement.text_en,
            agreement.get_status_display(),
            _names(agreement.responsible_countries.all()),
            _names(agreement.responsible_organisations.all()),
            agreement.get_term_display(),
            agreement.due_date or "",
            agreement.get_follow_up_status_display(),
            latest.date if latest else "",
            latest.note if latest else "",
        ]
        dataset.append([formula_safe(value) for value in row])
    return dataset


def export_bytes(dataset: tablib.Dataset, fmt: str) -> bytes:
    """``csv``: UTF-8 with a byte-order mark (Excel then reads the accents right);
    ``xlsx``: a workbook whose cells are all values, never formulas."""
    if fmt == "csv":
        return ("\ufeff" + dataset.export("csv")).encode("utf-8")
    if fmt == "xlsx":
        return dataset.export("xlsx")
    raise ValueError(fmt)
