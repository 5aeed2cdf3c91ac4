"""Forms of the staff minutes pages: asking for a version, confirming that one is issued."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from agreements.models import Minutes


class MinutesRequestForm(forms.Form):
    """Which language the new draft version is written in."""

    language = forms.ChoiceField(
        label=_("Idioma del acta"),
        choices=[("es", "Español"), ("en", "English")],
        initial="es",
        error_messages={"invalid_choice": _("Elija el idioma del acta: español o inglés.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_action = reverse("staff:minutes_start")
        self.helper.form_id = "minutes-form"
        self.helper.form_method = "post"
        self.helper.add_input(Submit("start", _("Generar una nueva versión en PDF")))


class MinutesIssueForm(forms.Form):
    """Staff confirm that a ready draft becomes the issued, immutable version."""

    confirm = forms.BooleanField(
        required=True,
        error_messages={
            "required": _("Marque la casilla para confirmar la emisión: no se emitió nada.")
        },
    )

    def __init__(self, *args, minutes: Minutes, recipients: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["confirm"].label = ngettext(
            "Confirmo que la versión %(version)s es la definitiva: no podrá modificarse ni "
            "borrarse, y se enviará por correo a %(count)s participante.",
            "Confirmo que la versión %(version)s es la definitiva: no podrá modificarse ni "
            "borrarse, y se enviará por correo a %(count)s participantes.",
            recipients,
        ) % {"version": minutes.version, "count": recipients}
        self.helper = FormHelper()
        self.helper.form_action = reverse("staff:minutes_issue", args=[minutes.pk])
        self.helper.form_id = "minutes-issue-form"
        self.helper.form_method = "post"
        button = Submit("issue", _("Emitir el acta"))
        button.field_classes = "btn btn-danger"
        self.helper.add_input(button)
