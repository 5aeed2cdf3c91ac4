"""Forms of the agreements' follow-up: the Secretaría's filters and one progress entry."""

from __future__ import annotations

import datetime as dt

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.urls import reverse
from django.utils import formats
from django.utils.translation import gettext_lazy as _

from agreements.followup import Filters
from agreements.models import Agreement
from participants.models import Country

NOTE_MAX_CHARS = 2000
DATE_INPUT_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]


class FollowupFilterForm(forms.Form):
    """The list's filters, read from the query string (``?follow_up=done&country=MX&session=1
    &overdue=on``). Every field may be left empty; a value that is not a choice is an error
    shown on the form, and that filter is not applied."""

    follow_up = forms.ChoiceField(
        label=_("Seguimiento"),
        required=False,
        choices=[("", _("Todos")), *Agreement.FollowUp.choices],
        error_messages={"invalid_choice": _("Elija un estado de seguimiento de la lista.")},
    )
    country = forms.ChoiceField(
        label=_("País responsable"),
        required=False,
        error_messages={"invalid_choice": _("Elija un país de la lista.")},
    )
    session = forms.ChoiceField(
        label=_("Sesión"),
        required=False,
        error_messages={"invalid_choice": _("Elija una sesión de la lista.")},
    )
    overdue = forms.BooleanField(label=_("Solo los vencidos"), required=False)

    def __init__(self, *args, workshop, **kwargs):
        super().__init__(*args, **kwargs)
        countries = Country.objects.filter(delegations__workshop=workshop).order_by("name_es")
        self.fields["country"].choices = [
            ("", _("Todos")),
            *((country.pk, country.name) for country in countries),
        ]
        self.sessions = {str(s.number): s for s in workshop.sessions.order_by("number")}
        self.fields["session"].choices = [
            ("", _("Todas")),
            *((number, session.display_label) for number, session in self.sessions.items()),
        ]
        # The template writes the <form method="get"> and its button: a named submit
        # button would add itself to the query string.
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True

    def filters(self) -> Filters:
        """The filters that are valid (all of them once ``is_valid()`` is true); an invalid
        field filters nothing."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        session = self.sessions.get(data.get("session") or "")
        return Filters(
            follow_up=data.get("follow_up") or None,
            country_id=data.get("country") or None,
            session_id=session.pk if session else None,
            overdue=bool(data.get("overdue")),
        )

    def query(self) -> dict[str, str]:
        """The valid filters as query-string parameters (for the export links and the way
        back after recording an entry)."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        names = ("follow_up", "country", "session")
        params = {name: data[name] for name in names if data.get(name)}
        if data.get("overdue"):
            params["overdue"] = "on"
        return params


class FollowupEntryForm(forms.Form):
    """One progress entry of one agreement: status, the day it refers to, a note.

    Each agreement on the page has its own form, prefixed ``agreement-<pk>``, so that every
    field id is unique. The date may not be later than ``max_date`` (an entry records what
    already happened, and the latest date decides the status: a future date would hide every
    entry recorded until then) nor earlier than the agreement's session (nothing could happen
    to an agreement before it was reached).
    """

    status = forms.ChoiceField(
        label=_("Estado del seguimiento"),
        choices=Agreement.FollowUp.choices,
        error_messages={
            "invalid_choice": _("Elija un estado: pendiente, en curso o cumplido."),
            "required": _("Elija un estado: pendiente, en curso o cumplido."),
        },
    )
    date = forms.DateField(
        label=_("Fecha"),
        input_formats=DATE_INPUT_FORMATS,
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
        error_messages={
            "invalid": _("Escriba una fecha válida, como 2022-07-15."),
            "required": _("Indique la fecha del avance."),
        },
    )
    note = forms.CharField(
        label=_("Nota"),
        max_length=NOTE_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Qué se hizo o qué falta. Los participantes de los países y organizaciones "
            "responsables la leen."
        ),
        error_messages={
            "required": _("Escriba una nota: qué se hizo o qué falta."),
            "max_length": _(
                "La nota tiene %(show_value)d caracteres; el máximo es %(limit_value)d. "
                "Acórtela: su texto sigue en el formulario."
            ),
        },
    )
    back = forms.CharField(required=False, widget=forms.HiddenInput, max_length=500)

    def __init__(
        self,
        *args,
        agreement: Agreement,
        today: dt.date,
        max_date: dt.date,
        min_date: dt.date,
        back: str = "",
        **kwargs,
    ):
        kwargs.setdefault("prefix", f"agreement-{agreement.pk}")
        kwargs.setdefault(
            "initial", {"status": agreement.follow_up_status, "date": today, "back": back}
        )
        super().__init__(*args, **kwargs)
        self.agreement = agreement
        self.max_date = max_date
        self.min_date = min_date
        self.fields["date"].widget.attrs.update(
            {"max": max_date.isoformat(), "min": min_date.isoformat()}
        )
        self.helper = FormHelper()
        self.helper.form_method = "post"
        self.helper.form_action = reverse("staff:agreements_record", args=[agreement.pk])
        self.helper.form_id = f"followup-{agreement.pk}"
        self.helper.form_class = "followup-entry"
        self.helper.add_input(
            Submit(
                "record",
                _("Registrar el avance"),
                css_id=f"followup-submit-{agreement.pk}",
            )
        )

    def clean_date(self) -> dt.date:
        date = self.cleaned_data["date"]
        if date > self.max_date:
            raise forms.ValidationError(
                _(
                    "La fecha no puede ser posterior a hoy (%(today)s): el seguimiento "
                    "registra lo que ya ocurrió."
                ),
                params={"today": formats.date_format(self.max_date)},
            )
        if date < self.min_date:
            raise forms.ValidationError(
                _(
                    "La fecha no puede ser anterior a la sesión en que se tomó el acuerdo "
                    "(%(date)s)."
                ),
                params={"date": formats.date_format(self.min_date)},
            )
        return date
