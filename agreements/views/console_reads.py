"""Reads of the moderator console: a session's agreements with their history, and the
session's closings and reopenings.

Each function loads what the console shows in a fixed number of queries, stated in its
docstring, however many agreements, changes or responsible parties there are.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections import defaultdict
from dataclasses import dataclass, field

from django.utils.formats import date_format
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from agenda.models import AgendaItem, Axis
from agreements.models import Agreement, SessionRecord
from participants.models import Country, Organisation

# What a moderator sees change; the rest (who saved, the version counter, the workshop) is
# said once per entry or not at all.
DIFF_FIELDS = (
    "text_es",
    "text_en",
    "axis",
    "agenda_item",
    "term",
    "due_date",
    "status",
    "number",
)
TEXT_FIELDS = frozenset({"text_es", "text_en"})
PARTIES = (
    ("responsible_countries", "historicalagreement_responsible_countries", "country_id"),
    (
        "responsible_organisations",
        "historicalagreement_responsible_organisations",
        "organisation_id",
    ),
)


@dataclass
class FieldChange:
    """One field of one change: its label and its value before and after, as shown."""

    label: str
    old: str
    new: str
    is_text: bool = False


@dataclass
class HistoryEntry:
    """One row of an agreement's history: who, when, which kind, what changed."""

    kind: str  # created, changed, moved_up, moved_down, deleted
    who: object  # a user or None
    when: dt.datetime
    version: int
    changes: list[FieldChange] = field(default_factory=list)

    @property
    def kind_label(self) -> str:
        return {
            "created": _("Registró el acuerdo"),
            "moved_up": _("Lo subió un lugar"),
            "moved_down": _("Lo bajó un lugar"),
            "deleted": _("Lo eliminó"),
        }.get(self.kind, _("Lo modificó"))


@dataclass
class RecordEntry:
    """A closing or a reopening of the session."""

    kind: str  # closed, reopened
    who: object
    when: dt.datetime
    reason: str = ""


def item_label(item: AgendaItem, zone: zoneinfo.ZoneInfo) -> str:
    start = item.start.astimezone(zone).strftime("%H:%M")
    end = item.end.astimezone(zone).strftime("%H:%M")
    return f"{start}–{end} {item.title}"


class _Labels:
    """How each stored value reads (3 queries: axes, blocks, organisations; countries'
    names come from a fourth)."""

    def __init__(self, *, session, zone: zoneinfo.ZoneInfo):
        self.axes = {
            axis.pk: str(axis) for axis in Axis.objects.filter(workshop_id=session.workshop_id)
        }
        self.items = {
            item.pk: item_label(item, zone) for item in AgendaItem.objects.filter(session=session)
        }
        self.countries = {country.pk: country.name for country in Country.objects.all()}
        self.organisations = {
            organisation.pk: organisation.short_name for organisation in Organisation.objects.all()
        }

    def value(self, name: str, value) -> str:
        if value in (None, ""):
            return "—"
        if name == "axis":
            return self.axes.get(value, _("(eje eliminado)"))
        if name == "agenda_item":
            return self.items.get(value, _("(bloque eliminado)"))
        if name == "term":
            return str(dict(Agreement.Term.choices).get(value, value))
        if name == "status":
            return str(dict(Agreement.Status.choices).get(value, value))
        if name == "due_date":
            return date_format(value, "DATE_FORMAT")
        return str(value)

    def parties(self, name: str, ids) -> str:
        names = self.countries if name == "responsible_countries" else self.organisations
        return ", ".join(sorted(names.get(pk, str(pk)) for pk in ids)) or "—"


def _label(name: str) -> str:
    return capfirst(Agreement._meta.get_field(name).verbose_name)


def _kind(row) -> str:
    if row.history_type == "+":
        return "created"
    if row.history_type == "-":
        return "deleted"
    reason = row.history_change_reason or ""
    if reason == "moved up":
        return "moved_up"
    if reason == "moved down":
        return "moved_down"
    return "changed"


def agreement_histories(*, agreement_ids: list[int], labels: _Labels) -> dict[int, list]:
    """``{agreement id: [HistoryEntry, …]}``, newest first, each with the fields that changed
    from the previous row (texts, axis, block, term, due date, status, number, responsible
    countries and organisations), with human labels and values. Always 3 queries."""
    history = Agreement.history.model
    rows = list(
        history.objects.filter(id__in=agreement_ids)
        .select_related("history_user")
        .order_by("id", "history_date", "history_id")
    )
    row_ids = [row.history_id for row in rows]
    parties: dict[str, dict[int, set]] = {}
    for name, accessor, column in PARTIES:
        through = history._meta.get_field(accessor).related_model
        by_row = defaultdict(set)
        for history_id, pk in through.objects.filter(history_id__in=row_ids).values_list(
            "history_id", column
        ):
            by_row[history_id].add(pk)
        parties[name] = by_row
    entries: dict[int, list] = defaultdict(list)
    previous = {}
    for row in rows:
        before = previous.get(row.id)
        changes = []
        if before is not None and row.history_type != "-":
            delta = row.diff_against(before, included_fields=DIFF_FIELDS)
            for change in sorted(delta.changes, key=lambda c: DIFF_FIELDS.index(c.field)):
                changes.append(
                    FieldChange(
                        label=_label(change.field),
                        old=labels.value(change.field, change.old),
                        new=labels.value(change.field, change.new),
                        is_text=change.field in TEXT_FIELDS,
                    )
                )
            for name, _accessor, _column in PARTIES:
                old_ids = parties[name].get(before.history_id, set())
                new_ids = parties[name].get(row.history_id, set())
                if old_ids != new_ids:
                    changes.append(
                        FieldChange(
                            label=_label(name),
                            old=labels.parties(name, old_ids),
                            new=labels.parties(name, new_ids),
                        )
                    )
        entries[row.id].append(
            HistoryEntry(
                kind=_kind(row),
                who=row.history_user,
                when=row.history_date,
                version=row.version,
                changes=changes,
            )
        )
        previous[row.id] = row
    return {pk: list(reversed(found)) for pk, found in entries.items()}


def session_agreements(*, session, zone: zoneinfo.ZoneInfo) -> list[Agreement]:
    """The session's agreements in number order, each with its axis, block (``block_label``
    in ``zone``), responsible countries and organisations, who recorded and last changed
    it, and ``changes``: its history (see ``agreement_histories``). 10 queries however many
    agreements, changes and parties there are (5 when the session has none)."""
    agreements = list(
        Agreement.objects.filter(session=session)
        .select_related("axis", "agenda_item", "created_by", "updated_by")
        .prefetch_related("responsible_countries", "responsible_organisations")
        .order_by("number")
    )
    labels = _Labels(session=session, zone=zone)
    histories = agreement_histories(agreement_ids=[a.pk for a in agreements], labels=labels)
    for agreement in agreements:
        agreement.block_label = (
            item_label(agreement.agenda_item, zone) if agreement.agenda_item else ""
        )
        agreement.changes = histories.get(agreement.pk, [])
    return agreements


def session_record_entries(*, record: SessionRecord) -> list[RecordEntry]:
    """The session's closings and reopenings (with the reason), newest first. 1 query
    (none for a record not saved yet)."""
    if record.pk is None:
        return []
    rows = list(
        SessionRecord.history.filter(id=record.pk)
        .select_related("history_user")
        .order_by("history_date", "history_id")
    )
    entries = []
    before = None
    for row in rows:
        was_closed = before is not None and before.closed_at is not None
        if row.closed_at is not None and not was_closed:
            entries.append(RecordEntry(kind="closed", who=row.history_user, when=row.closed_at))
        elif row.closed_at is None and was_closed:
            entries.append(
                RecordEntry(
                    kind="reopened",
                    who=row.history_user,
                    when=row.reopened_at or row.history_date,
                    reason=row.reopen_reason,
                )
            )
        before = row
    return list(reversed(entries))
