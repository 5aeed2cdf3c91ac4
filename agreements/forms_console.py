"""The moderator console's forms: an agreement (record or edit), closing and reopening a
session, and the choices offered when two moderators saved the same agreement at once.

The choices of the axis, the agenda block, the countries and the organisations are limited
to the session's workshop (and the block to the session itself), so a posted id from another
workshop or session is refused by the form with "not one of the available choices", before
any service runs. The texts' length is checked here, on the text as it will be stored, and
again by ``agreements.services``; the textareas carry no ``maxlength`` because a browser would
silently cut a pasted text, and nothing typed may be lost.
"""

from __future__ import annotations

import zoneinfo

from crispy_forms.bootstrap import FormActions, StrictButton
from crispy_forms.helper import FormHelper
from crispy_forms.layout import Div, Field, Layout
from django import forms
from django.utils.formats import number_format
from django.utils.translation import gettext, pgettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from agenda.models import AgendaItem, Axis
from agreements.models import Agreement
from agreements.services import TEXT_MAX_CHARS
from participants.models import Country, Organisation

PARTY_FIELDS = ("responsible_countries", "responsible_organisations")


def _normalised(text: str) -> str:
    """The text as the service stores it: browsers send line breaks as CR LF."""
    return (text or "").replace("\r\n", "\n").strip()


class AgendaItemChoiceField(forms.ModelChoiceField):
    """The session's blocks, labelled ``10:00–10:15 Title`` in the reader's zone (the
    model's own label reads the workshop for each block)."""

    def __init__(self, *args, zone: zoneinfo.ZoneInfo, **kwargs):
        self.zone = zone
        super().__init__(*args, **kwargs)

    def label_from_instance(self, obj: AgendaItem) -> str:
        start = obj.start.astimezone(self.zone).strftime("%H:%M")
        end = obj.end.astimezone(self.zone).strftime("%H:%M")
        return f"{start}–{end} {obj.title}"


class CountryChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Country) -> str:
        return obj.name


class OrganisationChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Organisation) -> str:
        return obj.short_name if obj.short_name == obj.name else f"{obj.short_name} · {obj.name}"


class AgreementForm(forms.Form):
    """What a moderator records of an agreement. ``expected_version`` (hidden) is the
    version the edit started from; it is absent when recording a new agreement."""

    text_es = forms.CharField(
        label=_("Texto del acuerdo en español"),
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    text_en = forms.CharField(
        label=_("Texto del acuerdo en inglés"),
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 4, "lang": "en"}),
    )
    axis = forms.ModelChoiceField(
        label=pgettext_lazy("consola", "Eje del Plan de Trabajo"),
        queryset=Axis.objects.none(),
        required=False,
        empty_label=_("(sin eje)"),
    )
    agenda_item = AgendaItemChoiceField(
        label=_("Bloque de la agenda en que se alcanzó"),
        queryset=AgendaItem.objects.none(),
        required=False,
        empty_label=_("(sin bloque)"),
        zone=zoneinfo.ZoneInfo("UTC"),
    )
    responsible_countries = CountryChoiceField(
        label=pgettext_lazy("consola", "Países responsables"),
        queryset=Country.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    responsible_organisations = OrganisationChoiceField(
        label=pgettext_lazy("consola", "Organizaciones responsables"),
        queryset=Organisation.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    term = forms.ChoiceField(
        label=pgettext_lazy("consola", "Plazo"),
        choices=Agreement.Term.choices,
        initial=Agreement.Term.SHORT,
        widget=forms.RadioSelect,
    )
    due_date = forms.DateField(
        label=pgettext_lazy("consola", "Fecha de cumplimiento"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d"],
        help_text=_("Opcional. Si su navegador no muestra un calendario, escriba AAAA-MM-DD."),
    )
    expected_version = forms.IntegerField(min_value=1, required=False, widget=forms.HiddenInput)

    def __init__(
        self,
        *args,
        session,
        zone: zoneinfo.ZoneInfo,
        action: str,
        submit_label: str | None = None,
        editing: bool = False,
        form_id: str = "agreement-form",
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.session = session
        workshop_id = session.workshop_id
        self.fields["axis"].queryset = Axis.objects.filter(workshop_id=workshop_id)
        item_field = self.fields["agenda_item"]
        item_field.queryset = AgendaItem.objects.filter(session=session)
        item_field.zone = zone
        item_field.help_text = gettext("Horas en %(zone)s.") % {"zone": zone.key}
        self.fields["responsible_countries"].queryset = Country.objects.filter(
            delegations__workshop_id=workshop_id
        ).distinct()
        self.fields["responsible_organisations"].queryset = Organisation.objects.all()
        limit = number_format(TEXT_MAX_CHARS, force_grouping=True)
        self.fields["text_es"].help_text = _(
            "Escriba el texto en español, en inglés o en ambos idiomas; máximo %(limit)s "
            "caracteres cada uno."
        ) % {"limit": limit}
        if editing:
            self.fields["expected_version"].required = True
        if form_id == "combined-form":  # both texts, one after the other
            for name in ("text_es", "text_en"):
                self.fields[name].widget.attrs["rows"] = 10
        self.helper = FormHelper()
        self.helper.form_id = form_id
        self.helper.form_action = action
        self.helper.attrs = {"novalidate": ""}
        self.helper.layout = Layout(
            Field("text_es", css_class="console-text"),
            Field("text_en", css_class="console-text"),
            "axis",
            "agenda_item",
            Div("responsible_countries", css_class="console-choices"),
            Div("responsible_organisations", css_class="console-choices"),
            "term",
            Field("due_date", css_class="console-date"),
            "expected_version",
            FormActions(
                StrictButton(
                    submit_label or gettext("Registrar el acuerdo"),
                    type="submit",
                    name="action",
                    value="save",
                    css_class="btn-primary",
                ),
                css_class="console-actions",
            ),
        )

    def _clean_text(self, name: str) -> str:
        text = _normalised(self.cleaned_data.get(name, ""))
        if len(text) > TEXT_MAX_CHARS:
            raise forms.ValidationError(
                _(
                    "El texto tiene %(length)s caracteres; el máximo es %(limit)s. Acórtelo y "
                    "vuelva a guardar: su texto sigue en el formulario."
                ),
                code="too_long",
                params={"length": len(text), "limit": TEXT_MAX_CHARS},
            )
        return text

    def clean_text_es(self) -> str:
        return self._clean_text("text_es")

    def clean_text_en(self) -> str:
        return self._clean_text("text_en")

    def clean(self):
        cleaned = super().clean()
        if (
            "text_es" in cleaned
            and "text_en" in cleaned
            and not cleaned["text_es"]
            and not cleaned["text_en"]
        ):
            self.add_error(
                "text_es",
                forms.ValidationError(
                    _("Escriba el texto del acuerdo en español, en inglés o en ambos idiomas."),
                    code="no_text",
                ),
            )
        return cleaned

    def service_fields(self) -> dict:
        """The cleaned data as ``agreements.services`` takes it."""
        data = self.cleaned_data
        return {
            "text_es": data["text_es"],
            "text_en": data["text_en"],
            "axis": data["axis"],
            "agenda_item": data["agenda_item"],
            "term": data["term"],
            "due_date": data["due_date"],
            "countries": list(data["responsible_countries"]),
            "organisations": list(data["responsible_organisations"]),
        }


def agreement_initial(agreement: Agreement) -> dict:
    """The edit form's starting values: what is stored, and the version it is."""
    return {
        "text_es": agreement.text_es,
        "text_en": agreement.text_en,
        "axis": agreement.axis_id,
        "agenda_item": agreement.agenda_item_id,
        "responsible_countries": [c.pk for c in agreement.responsible_countries.all()],
        "responsible_organisations": [o.pk for o in agreement.responsible_organisations.all()],
        "term": agreement.term,
        "due_date": agreement.due_date,
        "expected_version": agreement.version,
    }


class KeepMineForm(AgreementForm):
    """After a conflict: save the moderator's own version over the stored one, knowingly.
    Every field travels hidden, as posted; the version is the stored one's."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "keep_%s")  # beside the combined form on one page
        kwargs["form_id"] = "keep-mine-form"
        kwargs["editing"] = True
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            multiple = name in PARTY_FIELDS
            field.widget = forms.MultipleHiddenInput() if multiple else forms.HiddenInput()
        self.helper.layout = Layout(
            *self.fields,
            StrictButton(
                gettext("Guardar mi versión"),
                type="submit",
                name="action",
                value="save",
                css_class="btn-outline-primary",
            ),
        )


class CloseSessionForm(forms.Form):
    """Closing freezes the session's agreements: the moderator confirms it knowingly."""

    confirm = forms.BooleanField(
        label=_(
            "Confirmo que los acuerdos de esta sesión están completos: al cerrarla ya no se "
            "podrán modificar."
        ),
        required=True,
        error_messages={
            "required": _("Marque la casilla para confirmar el cierre: la sesión sigue abierta.")
        },
    )

    def __init__(self, *args, action: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_id = "close-form"
        self.helper.form_action = action
        self.helper.attrs = {"novalidate": ""}
        self.helper.layout = Layout(
            "confirm",
            StrictButton(
                pgettext("consola", "Cerrar la sesión"),
                type="submit",
                css_class="btn-outline-danger",
            ),
        )


class ReopenSessionForm(forms.Form):
    """Staff reopen a closed session, saying why (kept on the record and in its history)."""

    reason = forms.CharField(
        label=_("Motivo de la reapertura"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "required": _("Indique el motivo de la reapertura: no se reabrió nada."),
        },
    )

    def __init__(self, *args, action: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_id = "reopen-form"
        self.helper.form_action = action
        self.helper.attrs = {"novalidate": ""}
        self.helper.layout = Layout(
            "reason",
            StrictButton(
                pgettext("consola", "Reabrir la sesión"), type="submit", css_class="btn-primary"
            ),
        )
