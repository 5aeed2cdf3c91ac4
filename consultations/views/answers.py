"""A delegation's trigger questions and its answers: ``/consultations/``.

Who gets what (the rules are ``consultations.rules``):

- anonymous: the sign-in page (302);
- an approved delegate: their country's questions (``list``), the answer page of each
  (``answer``) and its history (``history``); any question not distributed to their country,
  another country's included, is 404;
- signed in without an approved delegate registration (pending, rejected, observer,
  moderator, staff): ``list`` answers 403 with a page saying the consultations are the
  delegations' (staff get links to their follow-up and compilation pages); ``answer`` and
  ``history`` answer 404, as for any object that is not theirs. Staff read the answers and
  their history through the compilation pages, not here.

Status codes of a refused save (the person's text is always shown back, nothing is lost):
400 empty submission or text too long; 403 deadline passed or submission by someone who may
not submit; 409 somebody saved since the person started (both texts and a choice) or the
answer was submitted meanwhile.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format, time_format
from django.utils.timesince import timeuntil
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from agenda.selectors import current_workshop
from agenda.timezones import resolve_viewer_zone, utc_offset_label
from consultations import rules, selectors, services
from consultations.forms import SUBMIT, AnswerForm, KeepMineForm
from consultations.models import Answer
from consultations.templatetags.answer_tags import remember_answers_for_delegation


def _zone(request, workshop):
    zone, _notice = resolve_viewer_zone(requested=None, user=request.user, workshop=workshop)
    return zone


def _delegate_or_404(request):
    """(workshop, participant) for an approved delegate; 404 for anybody else."""
    workshop = current_workshop()
    participant = rules.answering_participant(request.user, workshop)
    remember_answers_for_delegation(request, participant is not None)
    if participant is None:
        raise Http404("Not an approved delegate")
    return workshop, participant


def _who(user) -> str:
    if user is None:
        return _("una persona que ya no tiene cuenta")
    return user.get_full_name() or user.email


def _submitter(participant) -> dict:
    """Who may submit the delegation's answers, said for the page."""
    delegation = participant.delegation
    has_focal_point = rules.delegation_has_acting_focal_point(delegation)
    return {
        "can_submit": rules.can_submit(participant),
        "focal_point_name": _who(delegation.focal_point) if has_focal_point else "",
    }


def _time_left(assignment, now) -> str:
    if assignment.effective_deadline is None or not assignment.is_open:
        return ""
    return timeuntil(assignment.effective_deadline, now, depth=2)


@never_cache
@require_GET
@login_required
def question_list(request):
    """The questions distributed to the delegate's country, grouped by session and axis."""
    workshop = current_workshop()
    participant = rules.answering_participant(request.user, workshop)
    remember_answers_for_delegation(request, participant is not None)
    if participant is None:
        return render(
            request,
            "consultations/not_delegate.html",
            {"page_title": _("Preguntas detonadoras"), "is_staff": rules.is_staff(request.user)},
            status=403,
        )
    zone = _zone(request, workshop)
    assignments = selectors.delegation_assignments(delegation=participant.delegation)
    now = timezone.now()
    for assignment in assignments:
        assignment.time_left = _time_left(assignment, now)
    counts = {
        "total": len(assignments),
        "submitted": sum(
            1 for a in assignments if a.answer and a.answer.status == Answer.Status.SUBMITTED
        ),
    }
    return render(
        request,
        "consultations/list.html",
        {
            "page_title": _("Preguntas detonadoras"),
            "workshop": workshop,
            "participant": participant,
            "delegation": participant.delegation,
            "groups": selectors.group_by_session_and_axis(assignments),
            "counts": counts,
            "zone": zone,
            "zone_name": zone.key,
            **_submitter(participant),
        },
    )


def _combined(answer, mine: str, zone) -> str:
    """Both texts one after the other, each under a label, for the person to merge."""
    if answer is None:
        theirs_label = _("Texto guardado por otra persona")
        theirs = ""
    else:
        local = answer.updated_at.astimezone(zone)
        theirs_label = _("Texto guardado por %(name)s el %(when)s") % {
            "name": _who(answer.edited_by),
            "when": "{}, {} ({}, {})".format(
                date_format(local, "DATE_FORMAT"),
                time_format(local, "H:i"),
                zone.key,
                utc_offset_label(zone, answer.updated_at),
            ),
        }
        theirs = answer.text
    return f"[{theirs_label}]\n{theirs}\n\n[{_('Su texto')}]\n{mine}"


@never_cache
@require_http_methods(["GET", "POST"])
@login_required
def answer(request, code):
    """The answer page: the question, the deadline, and the form, the conflict screen or
    the submitted answer. A POST saves through ``consultations.services.answer_save``."""
    workshop, participant = _delegate_or_404(request)
    delegation = participant.delegation
    assignment = selectors.delegation_assignment(delegation=delegation, code=code)
    if assignment is None:
        raise Http404("Not distributed to this country")
    question = assignment.question
    stored = assignment.answer
    zone = _zone(request, workshop)
    action = request.path
    submitter = _submitter(participant)
    context = {
        "page_title": _("Pregunta %(code)s") % {"code": question.code},
        "workshop": workshop,
        "participant": participant,
        "delegation": delegation,
        "assignment": assignment,
        "question": question,
        "answer": stored,
        "zone": zone,
        "zone_name": zone.key,
        "time_left": _time_left(assignment, timezone.now()),
        **submitter,
    }
    if request.method == "GET":
        form = AnswerForm(
            initial={
                "text": stored.text if stored else "",
                "version": stored.version if stored else 0,
            },
            action=action,
            can_submit=submitter["can_submit"],
        )
        return render(request, "consultations/answer.html", {**context, "form": form})

    form = AnswerForm(request.POST, action=action, can_submit=submitter["can_submit"])
    posted_text = request.POST.get("text", "")
    if not form.is_valid():
        return render(request, "consultations/answer.html", {**context, "form": form}, status=400)
    submit = request.POST.get("action") == SUBMIT
    try:
        saved = services.answer_save(
            question=question,
            participant=participant,
            text=form.cleaned_data["text"],
            expected_version=form.cleaned_data["version"],
            submit=submit,
        )
    except services.NotAssignedError as error:
        raise Http404("Not distributed to this country") from error
    except services.AnswerConflictError as error:
        current = error.answer
        if current is not None and current.text == form.cleaned_data["text"] and not submit:
            # Both wrote the same words: there is nothing to choose between.
            messages.info(
                request,
                _(
                    "Otra persona de su delegación ya había guardado exactamente este texto "
                    "(versión %(version)s)."
                )
                % {"version": current.version},
            )
            return redirect(reverse("consultations:answer", kwargs={"code": question.code}))
        return render(
            request,
            "consultations/answer.html",
            {
                **context,
                "answer": current,
                "conflict": True,
                "mine": form.cleaned_data["text"],
                "error_message": error.message,
                "keep_mine_form": KeepMineForm(
                    initial={
                        "text": form.cleaned_data["text"],
                        "version": current.version if current else 0,
                    },
                    action=action,
                ),
                "form": AnswerForm(
                    initial={
                        "text": _combined(current, form.cleaned_data["text"], zone),
                        "version": current.version if current else 0,
                    },
                    action=action,
                    can_submit=submitter["can_submit"],
                    form_id="combined-form",
                ),
            },
            status=409,
        )
    except (services.AnswerClosedError, services.AnswerSubmittedError) as error:
        # The form is gone (closed or read-only); the text typed is shown to be copied.
        status = 403 if isinstance(error, services.AnswerClosedError) else 409
        return render(
            request,
            "consultations/answer.html",
            {
                **context,
                "answer": error.answer or stored,
                "refused": True,
                "closed": isinstance(error, services.AnswerClosedError),
                "unsaved_text": posted_text,
                "error_message": error.message,
            },
            status=status,
        )
    except services.AnswerError as error:
        # Submit not allowed (403), empty submission or too long (400): the form again,
        # with the text as typed.
        status = 403 if isinstance(error, services.SubmitNotAllowedError) else 400
        on_text = isinstance(error, services.AnswerEmptyError | services.AnswerTooLongError)
        form.add_error("text" if on_text else None, str(error.message))
        return render(
            request,
            "consultations/answer.html",
            {**context, "form": form},
            status=status,
        )
    if saved.status == Answer.Status.SUBMITTED:
        messages.success(
            request,
            _("La respuesta de su país se envió a la Secretaría (versión %(version)s).")
            % {"version": saved.version},
        )
    else:
        messages.success(
            request,
            _("Borrador guardado (versión %(version)s). Su delegación ya lo ve.")
            % {"version": saved.version},
        )
    return redirect(reverse("consultations:answer", kwargs={"code": question.code}))


@never_cache
@require_GET
@login_required
def answer_history(request, code):
    """Every version of the delegation's answer: who, when, status, text and, for a
    reopening, the Secretaría's reason. Delegates of that country only (404 otherwise)."""
    workshop, participant = _delegate_or_404(request)
    assignment = selectors.delegation_assignment(delegation=participant.delegation, code=code)
    if assignment is None:
        raise Http404("Not distributed to this country")
    answer = assignment.answer
    versions = selectors.answer_versions(answer=answer) if answer is not None else []
    zone = _zone(request, workshop)
    return render(
        request,
        "consultations/history.html",
        {
            "page_title": _("Historial de la respuesta a %(code)s")
            % {"code": assignment.question.code},
            "assignment": assignment,
            "question": assignment.question,
            "answer": answer,
            "versions": list(reversed(versions)),
            "delegation": participant.delegation,
            "zone": zone,
            "zone_name": zone.key,
        },
    )
