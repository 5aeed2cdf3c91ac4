"""Writes of agreements during and after a session: record, edit, reorder, adopt or withdraw,
close and reopen the session, record follow-up.

Every write runs in one transaction. Writes that change what a session recorded first lock
the session's record (``SessionRecord``), so they queue behind a closing, and are refused once
the session is closed (``SessionClosedError``). Numbering locks the workshop row: agreement
numbers are one sequence per workshop, in the order of the sessions, with no gaps.

Edits use optimistic locking: the writer says which version they started from; if somebody
saved since, ``AgreementConflictError`` carries the stored agreement and nothing is written.
Every change is a row in the agreement's history with who, when and what (texts, status,
responsible parties); the live view learns of it through ``SessionRecord.revision``
(raised by ``agreements.signals`` on every save, so admin edits count too).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import IntegrityError, transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agenda.models import Session, Workshop
from agreements.models import Agreement, AgreementFollowUp, SessionRecord

# The fields a moderator edits (the form's, besides the responsible parties).
EDITABLE_FIELDS = ("text_es", "text_en", "axis", "agenda_item", "term", "due_date")
TEXT_MAX_CHARS = 5000


class AgreementError(Exception):
    """A write that was refused; ``message`` says why, in the reader's language."""

    message = _("No se pudo guardar el acuerdo.")

    def __init__(self, message=None, *, agreement: Agreement | None = None):
        if message is not None:
            self.message = message
        self.agreement = agreement
        super().__init__(str(self.message))


class SessionClosedError(AgreementError):
    message = _(
        "La sesión está cerrada: sus acuerdos ya no se pueden modificar. Solo la Secretaría "
        "puede reabrirla, indicando el motivo."
    )


class AgreementConflictError(AgreementError):
    """Somebody saved since the writer opened the agreement; ``agreement`` is the stored one."""

    message = _(
        "Otra persona guardó este acuerdo mientras usted lo editaba. No se ha perdido nada: "
        "compare los dos textos y elija cuál guardar."
    )


class AgreementTextError(AgreementError):
    message = _("Escriba el texto del acuerdo en español, en inglés o en ambos idiomas.")


class AgreementTooLongError(AgreementError):
    def __init__(self, *, length: int):
        super().__init__(
            _(
                "El texto tiene %(length)s caracteres; el máximo es %(limit)s. Acórtelo y "
                "vuelva a guardar: su texto sigue en el formulario."
            )
            % {"length": length, "limit": TEXT_MAX_CHARS}
        )


class AgreementMoveError(AgreementError):
    message = _("Ese acuerdo ya está en el extremo de la lista: no se movió nada.")


class ReopenSessionError(AgreementError):
    message = _("Indique el motivo de la reapertura: no se reabrió nada.")


class SessionNotClosedError(AgreementError):
    message = _("La sesión no está cerrada: no había nada que reabrir.")


# --- The session's record ------------------------------------------------------------------------


def session_record(session: Session) -> SessionRecord:
    """The session's record, created on first use."""
    try:
        record, _created = SessionRecord.objects.get_or_create(session=session)
    except IntegrityError:  # created by a concurrent request between the get and the create
        record = SessionRecord.objects.get(session=session)
    return record


def _locked_open_record(session: Session) -> SessionRecord:
    """Lock the session's record (inside a transaction) and refuse if the session is closed."""
    session_record(session)
    record = SessionRecord.objects.select_for_update().get(session=session)
    if record.is_closed:
        raise SessionClosedError
    return record


def revision_bump(session_id: int, *, create: bool = True) -> None:
    """Tell the live view that the session's agreements changed (one UPDATE; an INSERT the
    first time, unless ``create`` is false)."""
    updated = SessionRecord.objects.filter(session_id=session_id).update(revision=F("revision") + 1)
    if not updated and create:
        try:
            with transaction.atomic():
                SessionRecord.objects.create(session_id=session_id, revision=1)
        except IntegrityError:
            SessionRecord.objects.filter(session_id=session_id).update(revision=F("revision") + 1)


# --- Numbering -----------------------------------------------------------------------------------


def _renumber(workshop_id: int, ordered_ids: list[int]) -> None:
    """Give the agreements ``ordered_ids`` the numbers 1..n, in two steps so that the unique
    (workshop, number) constraint holds after every statement. Writes no history (the number
    is a position, not what was agreed) but raises each touched session's revision."""
    if not ordered_ids:
        return
    current = dict(Agreement.objects.filter(pk__in=ordered_ids).values_list("pk", "number"))
    changed = [pk for position, pk in enumerate(ordered_ids, 1) if current[pk] != position]
    if not changed:
        return
    top = Agreement.objects.filter(workshop_id=workshop_id).aggregate(m=Max("number"))["m"]
    offset = (top or 0) + len(ordered_ids) + 1
    Agreement.objects.filter(pk__in=changed).update(number=F("number") + offset)
    for position, pk in enumerate(ordered_ids, 1):
        if pk in changed:
            Agreement.objects.filter(pk=pk).update(number=position)
    sessions = set(Agreement.objects.filter(pk__in=changed).values_list("session_id", flat=True))
    for session_id in sessions:
        revision_bump(session_id)


def _workshop_order(workshop_id: int) -> list[int]:
    """The workshop's agreement ids in their order: by session, then by current number."""
    return list(
        Agreement.objects.filter(workshop_id=workshop_id)
        .order_by("session__number", "number")
        .values_list("pk", flat=True)
    )


# --- Writes --------------------------------------------------------------------------------------


def _clean_texts(text_es: str, text_en: str) -> tuple[str, str]:
    text_es = (text_es or "").replace("\r\n", "\n").strip()
    text_en = (text_en or "").replace("\r\n", "\n").strip()
    for text in (text_es, text_en):
        if len(text) > TEXT_MAX_CHARS:
            raise AgreementTooLongError(length=len(text))
    if not text_es and not text_en:
        raise AgreementTextError
    return text_es, text_en


def agreement_create(
    *,
    session: Session,
    by,
    text_es: str = "",
    text_en: str = "",
    axis=None,
    agenda_item=None,
    term: str = Agreement.Term.SHORT,
    due_date: dt.date | None = None,
    countries: Iterable = (),
    organisations: Iterable = (),
    status: str = Agreement.Status.PROPOSED,
) -> Agreement:
    """Record a new agreement at the end of ``session``'s list (numbers of later sessions'
    agreements move up by one). Raises ``SessionClosedError``, ``AgreementTextError`` or
    ``AgreementTooLongError``; nothing is written then."""
    text_es, text_en = _clean_texts(text_es, text_en)
    with transaction.atomic():
        Workshop.objects.select_for_update().filter(pk=session.workshop_id).first()
        _locked_open_record(session)
        top = (
            Agreement.objects.filter(workshop_id=session.workshop_id).aggregate(m=Max("number"))[
                "m"
            ]
            or 0
        )
        agreement = Agreement(
            workshop_id=session.workshop_id,
            session=session,
            number=top + 1,  # provisional: _renumber puts it after its session's last one
            text_es=text_es,
            text_en=text_en,
            axis=axis,
            agenda_item=agenda_item,
            term=term,
            due_date=due_date,
            status=status,
            created_by=by,
            updated_by=by,
        )
        agreement.skip_history_when_saving = True
        agreement.save()
        agreement.responsible_countries.set(countries)
        agreement.responsible_organisations.set(organisations)
        _renumber(session.workshop_id, _workshop_order(session.workshop_id))
        agreement.refresh_from_db(fields=["number"])
        del agreement.skip_history_when_saving
        agreement._history_user = by
        agreement.save(update_fields=["updated_by"])  # the history row, with the parties
        agreement.history.filter(pk=agreement.history.latest().pk).update(history_type="+")
    return agreement


def agreement_update(
    *,
    agreement: Agreement,
    by,
    expected_version: int,
    countries: Iterable | None = None,
    organisations: Iterable | None = None,
    **fields,
) -> Agreement:
    """Save the moderator's edit of ``agreement`` (``fields`` among ``EDITABLE_FIELDS`` plus
    ``status``). Raises ``SessionClosedError``, ``AgreementConflictError`` (with the stored
    agreement), ``AgreementTextError`` or ``AgreementTooLongError``; nothing is written then.
    Saving what is stored writes nothing."""
    unknown = set(fields) - {*EDITABLE_FIELDS, "status"}
    if unknown:
        raise TypeError(f"not editable: {sorted(unknown)}")
    with transaction.atomic():
        _locked_open_record(agreement.session)
        stored = Agreement.objects.select_for_update(of=("self",)).get(pk=agreement.pk)
        if stored.version != expected_version:
            raise AgreementConflictError(agreement=stored)
        text_es, text_en = _clean_texts(
            fields.get("text_es", stored.text_es), fields.get("text_en", stored.text_en)
        )
        fields.update(text_es=text_es, text_en=text_en)
        changed = [name for name, value in fields.items() if _value(stored, name) != _pk(value)]
        countries_changed = countries is not None and _ids(countries) != set(
            stored.responsible_countries.values_list("pk", flat=True)
        )
        organisations_changed = organisations is not None and _ids(organisations) != set(
            stored.responsible_organisations.values_list("pk", flat=True)
        )
        if not (changed or countries_changed or organisations_changed):
            return stored
        for name in changed:
            setattr(stored, name, fields[name])
        stored.skip_history_when_saving = True
        if countries_changed:
            stored.responsible_countries.set(countries)
        if organisations_changed:
            stored.responsible_organisations.set(organisations)
        del stored.skip_history_when_saving
        stored.version += 1
        stored.updated_by = by
        stored._history_user = by
        stored.save()
    return stored


def agreement_set_status(*, agreement: Agreement, by, status: str, expected_version: int):
    """Adopt, withdraw or put back as proposed; same rules as ``agreement_update``."""
    if status not in Agreement.Status.values:
        raise ValueError(status)
    return agreement_update(
        agreement=agreement, by=by, expected_version=expected_version, status=status
    )


def agreement_move(*, agreement: Agreement, by, direction: str) -> Agreement:
    """Move ``agreement`` one place up or down within its session; the numbers follow.
    Raises ``SessionClosedError`` or ``AgreementMoveError`` (already first or last)."""
    if direction not in ("up", "down"):
        raise ValueError(direction)
    with transaction.atomic():
        Workshop.objects.select_for_update().filter(pk=agreement.workshop_id).first()
        _locked_open_record(agreement.session)
        order = _workshop_order(agreement.workshop_id)
        same_session = set(
            Agreement.objects.filter(session_id=agreement.session_id).values_list("pk", flat=True)
        )
        index = order.index(agreement.pk)
        step = -1 if direction == "up" else 1
        other = index + step
        if not (0 <= other < len(order)) or order[other] not in same_session:
            raise AgreementMoveError(agreement=agreement)
        order[index], order[other] = order[other], order[index]
        _renumber(agreement.workshop_id, order)
        moved = Agreement.objects.get(pk=agreement.pk)
        moved._history_user = by
        moved._change_reason = "moved " + direction  # the history row shows the new number
        moved.updated_by = by
        moved.save(update_fields=["updated_by"])
    return moved


def session_close(*, session: Session, by) -> SessionRecord:
    """Close the session: its agreements are frozen from now on. Closing a closed session
    changes nothing."""
    with transaction.atomic():
        session_record(session)
        record = SessionRecord.objects.select_for_update().get(session=session)
        if record.is_closed:
            return record
        record.closed_at = timezone.now()
        record.closed_by = by
        record.revision += 1
        record._history_user = by
        record.save()
    return record


def session_reopen(*, session: Session, by, reason: str) -> SessionRecord:
    """Reopen a closed session (staff), with ``reason`` kept on the record and in its history.
    Raises ``ReopenSessionError`` (blank reason) or ``SessionNotClosedError``."""
    reason = (reason or "").strip()
    if not reason:
        raise ReopenSessionError
    with transaction.atomic():
        session_record(session)
        record = SessionRecord.objects.select_for_update().get(session=session)
        if not record.is_closed:
            raise SessionNotClosedError
        record.closed_at = None
        record.closed_by = None
        record.reopened_at = timezone.now()
        record.reopened_by = by
        record.reopen_reason = reason
        record.revision += 1
        record._history_user = by
        record._change_reason = reason[:100]
        record.save()
    return record


def followup_record(
    *, agreement: Agreement, by, status: str, note: str = "", date: dt.date | None = None
) -> AgreementFollowUp:
    """Record one dated follow-up entry (staff, after the workshop; a closed session does not
    stop it: closing freezes what was agreed, not its progress). The agreement's
    ``follow_up_status`` becomes the status of its latest entry by date."""
    if status not in Agreement.FollowUp.values:
        raise ValueError(status)
    with transaction.atomic():
        Agreement.objects.select_for_update(of=("self",)).filter(pk=agreement.pk).first()
        entry = AgreementFollowUp.objects.create(
            agreement=agreement,
            status=status,
            note=(note or "").replace("\r\n", "\n").strip(),
            date=date or timezone.localdate(),
            recorded_by=by,
        )
        latest = AgreementFollowUp.objects.filter(agreement=agreement).first()  # Meta ordering
        Agreement.objects.filter(pk=agreement.pk).update(follow_up_status=latest.status)
        revision_bump(agreement.session_id)
    return entry


def _pk(value):
    return getattr(value, "pk", value)


def _value(obj, name):
    field = obj._meta.get_field(name)
    if field.is_relation:
        return getattr(obj, field.attname)
    return getattr(obj, name)


def _ids(objects: Iterable) -> set:
    return {_pk(obj) for obj in objects}
