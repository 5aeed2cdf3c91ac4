"""The moderator console of a session: ``/moderation/session/<number>/``.

Who gets what (``agreements.rules``):

* the moderators of that session (``Session.moderators``) and staff: every page and action
  here, except reopening a closed session, which is staff's alone;
* anyone else signed in (delegates, observers, pending accounts, the moderator of another
  session): 404 on every URL, whether the session or agreement exists or not; a moderator's
  reopening POST is 404 too;
* anonymous visitors: the sign-in page (the same redirect for every URL).

Status codes of a refused write (what was typed is shown back, nothing is half-saved):
400 bad input (no text, text too long, a choice from another workshop or session, a
missing confirmation or reason); 409 the session is closed, somebody saved the agreement
since (the conflict screen with both versions), the agreement is already first or last, the
session was not closed (reopen); 405 a GET on an action URL.
"""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.formats import date_format, time_format
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.cache import never_cache

from agenda.selectors import current_workshop
from agenda.timezones import resolve_viewer_zone, utc_offset_label
from agreements import rules, services
from agreements.forms_console import (
    AgreementForm,
    CloseSessionForm,
    KeepMineForm,
    ReopenSessionForm,
    agreement_initial,
)
from agreements.models import Agreement, SessionRecord
from agreements.views import console_reads

STATUS_ACTIONS = {
    Agreement.Status.ADOPTED: "adopt",
    Agreement.Status.WITHDRAWN: "withdraw",
    Agreement.Status.PROPOSED: "propose",
}


def moderator_view(*methods: str):
    """Anonymous visitors sign in; anyone who may not moderate session ``number`` of the
    current workshop gets 404; then only ``methods`` are allowed (405). The view receives
    the workshop and the session instead of ``number``."""

    def decorate(view):
        @never_cache
        @wraps(view)
        def wrapped(request, number, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            workshop = current_workshop()
            session = workshop.sessions.filter(number=number).first()
            if session is None or not rules.can_moderate(request.user, session):
                raise Http404("Not a moderator of this session")
            if request.method not in methods:
                return HttpResponseNotAllowed(methods)
            return view(request, *args, workshop=workshop, session=session, **kwargs)

        return wrapped

    return decorate


def _zone(request, workshop):
    zone, _notice = resolve_viewer_zone(requested=None, user=request.user, workshop=workshop)
    return zone


def _who(user) -> str:
    if user is None:
        return _("una persona que ya no tiene cuenta")
    return user.get_full_name() or user.email


def _moment(value, zone) -> str:
    local = value.astimezone(zone)
    return "{}, {} ({}, {})".format(
        date_format(local, "DATE_FORMAT"),
        time_format(local, "H:i"),
        zone.key,
        utc_offset_label(zone, value),
    )


def _console_url(session, agreement=None) -> str:
    url = reverse("moderation:console", kwargs={"number": session.number})
    return f"{url}#agreement-{agreement.pk}" if agreement is not None else url


def _agreement_or_404(session, pk) -> Agreement:
    agreement = (
        Agreement.objects.select_related("session", "axis", "agenda_item", "updated_by")
        .prefetch_related("responsible_countries", "responsible_organisations")
        .filter(session=session, pk=pk)
        .first()
    )
    if agreement is None:
        raise Http404("No such agreement in this session")
    return agreement


def _record(session) -> SessionRecord:
    """The session's record, or an unsaved open one: reading a page writes nothing."""
    return SessionRecord.objects.filter(session=session).first() or SessionRecord(session=session)


def _console(request, *, workshop, session, status=200, **overrides):
    """The console page; ``overrides`` replace parts of its context (a bound form with its
    errors, an error message)."""
    zone = _zone(request, workshop)
    record = _record(session)
    number = session.number
    context = {
        "page_title": _("Consola de moderación: %(session)s") % {"session": session.display_label},
        "workshop": workshop,
        "session": session,
        "record": record,
        "closed": record.is_closed,
        "can_reopen": rules.can_reopen_session(request.user),
        "agreements": console_reads.session_agreements(session=session, zone=zone),
        "record_entries": console_reads.session_record_entries(record=record),
        "zone": zone,
        "zone_name": zone.key,
        "status_actions": STATUS_ACTIONS,
    }
    if not record.is_closed:
        context["form"] = AgreementForm(
            session=session,
            zone=zone,
            action=reverse("moderation:console", kwargs={"number": number}),
        )
        context["close_form"] = CloseSessionForm(
            action=reverse("moderation:close", kwargs={"number": number})
        )
    elif context["can_reopen"]:
        context["reopen_form"] = ReopenSessionForm(
            action=reverse("moderation:reopen", kwargs={"number": number})
        )
    context.update(overrides)
    return render(request, "agreements/moderation/console.html", context, status=status)


def _refused(request, error, *, workshop, session, **overrides):
    """A write the services refused: the console with the reason, 409."""
    overrides.setdefault("error_message", error.message)
    return _console(request, workshop=workshop, session=session, status=409, **overrides)


@moderator_view("GET", "POST")
def console(request, *, workshop, session):
    """The session's agreements, the form to record one, closing and reopening. A POST
    records an agreement through ``agreements.services.agreement_create``."""
    if request.method == "GET":
        return _console(request, workshop=workshop, session=session)
    zone = _zone(request, workshop)
    form = AgreementForm(
        request.POST,
        session=session,
        zone=zone,
        action=reverse("moderation:console", kwargs={"number": session.number}),
    )
    unsaved = {
        "unsaved_es": request.POST.get("text_es", ""),
        "unsaved_en": request.POST.get("text_en", ""),
    }
    if _record(session).is_closed:
        return _refused(
            request, services.SessionClosedError(), workshop=workshop, session=session, **unsaved
        )
    if not form.is_valid():
        return _console(
            request,
            workshop=workshop,
            session=session,
            status=400,
            form=form,
            error_message=_("El acuerdo no se registró: corrija lo indicado en el formulario."),
        )
    try:
        agreement = services.agreement_create(
            session=session, by=request.user, **form.service_fields()
        )
    except services.SessionClosedError as error:
        return _refused(request, error, workshop=workshop, session=session, **unsaved)
    except services.AgreementError as error:
        form.add_error("text_es", str(error.message))
        return _console(
            request,
            workshop=workshop,
            session=session,
            status=400,
            form=form,
            error_message=error.message,
        )
    messages.success(request, _("Acuerdo %(number)s registrado.") % {"number": agreement.number})
    return redirect(_console_url(session, agreement))


def _summary_of_agreement(agreement: Agreement, zone) -> dict:
    return {
        "text_es": agreement.text_es,
        "text_en": agreement.text_en,
        "axis": str(agreement.axis) if agreement.axis else "",
        "block": console_reads.item_label(agreement.agenda_item, zone)
        if agreement.agenda_item
        else "",
        "countries": ", ".join(c.name for c in agreement.responsible_countries.all()),
        "organisations": ", ".join(o.short_name for o in agreement.responsible_organisations.all()),
        "term": agreement.get_term_display(),
        "due_date": agreement.due_date,
    }


def _summary_of_form(data: dict, zone) -> dict:
    return {
        "text_es": data["text_es"],
        "text_en": data["text_en"],
        "axis": str(data["axis"]) if data["axis"] else "",
        "block": console_reads.item_label(data["agenda_item"], zone) if data["agenda_item"] else "",
        "countries": ", ".join(c.name for c in data["responsible_countries"]),
        "organisations": ", ".join(o.short_name for o in data["responsible_organisations"]),
        "term": dict(Agreement.Term.choices)[data["term"]],
        "due_date": data["due_date"],
    }


def _combined_text(theirs: str, mine: str, *, heading: str) -> str:
    """Both texts one after the other, each under a label, for the moderator to merge; just
    one of them when they agree or one is empty."""
    if theirs == mine or not mine:
        return theirs
    if not theirs:
        return mine
    return f"[{heading}]\n{theirs}\n\n[{_('Su texto')}]\n{mine}"


def _same_as_stored(stored: Agreement, data: dict) -> bool:
    return (
        stored.text_es == data["text_es"]
        and stored.text_en == data["text_en"]
        and stored.axis_id == (data["axis"].pk if data["axis"] else None)
        and stored.agenda_item_id == (data["agenda_item"].pk if data["agenda_item"] else None)
        and stored.term == data["term"]
        and stored.due_date == data["due_date"]
        and {c.pk for c in stored.responsible_countries.all()}
        == {c.pk for c in data["responsible_countries"]}
        and {o.pk for o in stored.responsible_organisations.all()}
        == {o.pk for o in data["responsible_organisations"]}
    )


@moderator_view("GET", "POST")
def agreement_edit(request, pk, *, workshop, session):
    """One agreement's edit page: the form with the version it started from, its history,
    and, after a stale save, the conflict screen (409) with both versions and three ways out
    (keep the stored one, keep mine, a combination), nothing typed lost."""
    agreement = _agreement_or_404(session, pk)
    zone = _zone(request, workshop)
    record = _record(session)
    action = reverse("moderation:edit", kwargs={"number": session.number, "pk": agreement.pk})
    labels = console_reads._Labels(session=session, zone=zone)
    agreement.changes = console_reads.agreement_histories(
        agreement_ids=[agreement.pk], labels=labels
    ).get(agreement.pk, [])
    context = {
        "page_title": pgettext("consola", "Acuerdo %(number)s") % {"number": agreement.number},
        "workshop": workshop,
        "session": session,
        "record": record,
        "closed": record.is_closed,
        "agreement": agreement,
        "zone": zone,
        "zone_name": zone.key,
    }

    def form(data=None, **kwargs):
        return AgreementForm(
            data,
            session=session,
            zone=zone,
            action=action,
            editing=True,
            submit_label=pgettext("consola", "Guardar los cambios"),
            **kwargs,
        )

    if request.method == "GET":
        if not record.is_closed:
            context["form"] = form(initial=agreement_initial(agreement))
        return render(request, "agreements/moderation/edit.html", context)

    posted = form(request.POST)
    unsaved = {
        "unsaved_es": request.POST.get("text_es", ""),
        "unsaved_en": request.POST.get("text_en", ""),
    }
    if record.is_closed:
        return render(
            request,
            "agreements/moderation/edit.html",
            {**context, **unsaved, "error_message": services.SessionClosedError.message},
            status=409,
        )
    if not posted.is_valid():
        return render(
            request,
            "agreements/moderation/edit.html",
            {
                **context,
                "form": posted,
                "error_message": _("No se guardó nada: corrija lo indicado en el formulario."),
            },
            status=400,
        )
    data = posted.cleaned_data
    fields = posted.service_fields()
    try:
        saved = services.agreement_update(
            agreement=agreement,
            by=request.user,
            expected_version=data["expected_version"],
            **fields,
        )
    except services.AgreementConflictError as error:
        stored = _agreement_or_404(session, agreement.pk)
        if _same_as_stored(stored, data):
            messages.info(
                request,
                _(
                    "Otra persona ya había guardado exactamente esta versión del acuerdo "
                    "(versión %(version)s)."
                )
                % {"version": stored.version},
            )
            return redirect(_console_url(session, stored))
        stored.changes = agreement.changes
        heading = _("Texto guardado por %(name)s el %(when)s") % {
            "name": _who(stored.updated_by),
            "when": _moment(stored.updated_at, zone),
        }
        mine_initial = {
            **{name: data[name] for name in data},
            "responsible_countries": [c.pk for c in data["responsible_countries"]],
            "responsible_organisations": [o.pk for o in data["responsible_organisations"]],
            "axis": data["axis"].pk if data["axis"] else None,
            "agenda_item": data["agenda_item"].pk if data["agenda_item"] else None,
            "expected_version": stored.version,
        }
        combined = {
            **mine_initial,
            "text_es": _combined_text(stored.text_es, data["text_es"], heading=heading),
            "text_en": _combined_text(stored.text_en, data["text_en"], heading=heading),
        }
        return render(
            request,
            "agreements/moderation/edit.html",
            {
                **context,
                "agreement": stored,
                "conflict": True,
                "error_message": error.message,
                "theirs": _summary_of_agreement(stored, zone),
                "mine": _summary_of_form(data, zone),
                "keep_mine_form": KeepMineForm(
                    initial=mine_initial, session=session, zone=zone, action=action
                ),
                "form": form(initial=combined, form_id="combined-form"),
            },
            status=409,
        )
    except services.SessionClosedError as error:
        return render(
            request,
            "agreements/moderation/edit.html",
            {**context, **unsaved, "closed": True, "error_message": error.message},
            status=409,
        )
    except services.AgreementError as error:
        posted.add_error("text_es", str(error.message))
        return render(
            request,
            "agreements/moderation/edit.html",
            {**context, "form": posted, "error_message": error.message},
            status=400,
        )
    messages.success(
        request,
        _("Acuerdo %(number)s guardado (versión %(version)s).")
        % {"number": saved.number, "version": saved.version},
    )
    return redirect(_console_url(session, saved))


@moderator_view("POST")
def agreement_move(request, pk, *, workshop, session):
    """Move an agreement one place up or down in its session; the numbers follow."""
    agreement = _agreement_or_404(session, pk)
    direction = request.POST.get("direction")
    if direction not in ("up", "down"):
        return _console(
            request,
            workshop=workshop,
            session=session,
            status=400,
            error_message=_("No se indicó hacia dónde mover el acuerdo: no se movió nada."),
        )
    try:
        moved = services.agreement_move(agreement=agreement, by=request.user, direction=direction)
    except services.AgreementError as error:
        return _refused(request, error, workshop=workshop, session=session)
    messages.success(
        request,
        _("El acuerdo ahora es el número %(number)s.") % {"number": moved.number},
    )
    return redirect(_console_url(session, moved))


@moderator_view("POST")
def agreement_status(request, pk, *, workshop, session):
    """Adopt, withdraw or put back as proposed, from the version the moderator saw."""
    agreement = _agreement_or_404(session, pk)
    status = request.POST.get("status")
    try:
        expected_version = int(request.POST.get("expected_version", ""))
    except ValueError:
        expected_version = None
    if status not in Agreement.Status.values or expected_version is None:
        return _console(
            request,
            workshop=workshop,
            session=session,
            status=400,
            error_message=_("La petición no indica el estado o la versión: no cambió nada."),
        )
    try:
        saved = services.agreement_set_status(
            agreement=agreement, by=request.user, status=status, expected_version=expected_version
        )
    except services.AgreementConflictError as error:
        return _refused(
            request,
            error,
            workshop=workshop,
            session=session,
            error_message=_(
                "Otra persona modificó el acuerdo %(number)s mientras usted lo veía: no se "
                "cambió su estado. Revise su versión actual, abajo, y vuelva a elegir."
            )
            % {"number": error.agreement.number},
        )
    except services.AgreementError as error:
        return _refused(request, error, workshop=workshop, session=session)
    messages.success(
        request,
        _("Acuerdo %(number)s: %(status)s.")
        % {"number": saved.number, "status": saved.get_status_display()},
    )
    return redirect(_console_url(session, saved))


@moderator_view("POST")
def session_close(request, *, workshop, session):
    """Close the session (after an explicit confirmation): its agreements are frozen."""
    form = CloseSessionForm(
        request.POST, action=reverse("moderation:close", kwargs={"number": session.number})
    )
    if _record(session).is_closed:
        messages.info(request, _("La sesión ya estaba cerrada."))
        return redirect(_console_url(session))
    if not form.is_valid():
        return _console(
            request,
            workshop=workshop,
            session=session,
            status=400,
            close_form=form,
            error_message=_("La sesión sigue abierta: falta confirmar el cierre."),
        )
    services.session_close(session=session, by=request.user)
    messages.success(
        request,
        _("La sesión quedó cerrada: sus acuerdos ya no se pueden modificar."),
    )
    return redirect(_console_url(session))


@moderator_view("POST")
def session_reopen(request, *, workshop, session):
    """Reopen a closed session, with a reason: staff only (404 for moderators)."""
    if not rules.can_reopen_session(request.user):
        raise Http404("Only staff reopen a session")
    form = ReopenSessionForm(
        request.POST, action=reverse("moderation:reopen", kwargs={"number": session.number})
    )
    if not form.is_valid():
        return _console(
            request,
            workshop=workshop,
            session=session,
            status=400,
            reopen_form=form,
            error_message=_("La sesión sigue cerrada: falta el motivo de la reapertura."),
        )
    try:
        services.session_reopen(
            session=session, by=request.user, reason=form.cleaned_data["reason"]
        )
    except services.AgreementError as error:
        return _refused(request, error, workshop=workshop, session=session)
    messages.success(request, _("La sesión quedó reabierta; el motivo queda registrado."))
    return redirect(_console_url(session))
