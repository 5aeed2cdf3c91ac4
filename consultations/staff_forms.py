"""The Secretaría's forms for trigger questions: distribute, remind, extend a deadline."""

from crispy_forms.helper import FormHelper
from django import forms
from django.utils.translation import gettext_lazy as _

from participants.models import Country

REMIND_ALL = "all"


class DistributeForm(forms.Form):
    """Which countries receive the selected questions; every País Miembro by default."""

    countries = forms.ModelMultipleChoiceField(
        label=_("Países que reciben las preguntas"),
        queryset=Country.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Cada persona aprobada de la delegación de esos países recibirá un correo en su "
            "idioma, una sola vez por distribución. Los Países Observadores vienen sin marcar."
        ),
        error_messages={"required": _("Elija al menos un país.")},
    )

    def __init__(self, *args, countries: list[Country], **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["countries"]
        field.queryset = Country.objects.filter(pk__in=[c.pk for c in countries]).order_by(
            "name_es"
        )
        field.label_from_instance = lambda country: (
            f"{country.name} ({country.get_crm_status_display()})"
        )
        field.initial = [c.pk for c in countries if c.crm_status == Country.CrmStatus.MEMBER]
        self.helper = FormHelper()
        self.helper.form_tag = False  # the admin's <form> carries the action and the selection
        self.helper.disable_csrf = True


class RemindForm(forms.Form):
    """A "Recordar" button of the follow-up page: one country's ISO code, or ``all``.

    ``nonce`` is written into the page when it is rendered and names the reminder's
    occasion, so the same form sent twice (a double click, the browser resending it) writes
    the reminder once. Hidden fields only: nothing here is typed by a person.
    """

    country = forms.CharField(max_length=3)
    nonce = forms.RegexField(regex=r"^[0-9a-f]{32}$", max_length=32)

    def __init__(self, *args, choices: set[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.choices = choices

    def clean_country(self) -> str:
        country = self.cleaned_data["country"]
        if country != REMIND_ALL and country not in self.choices:
            raise forms.ValidationError(_("Ese país no tiene respuestas pendientes."))
        return country
