"""Forms of the compilation pages: reopening a submitted answer, asking for a compendium."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

REOPEN_REASON_MAX_CHARS = 1000


class ReopenForm(forms.Form):
    """Staff reopen one submitted answer; the reason is kept in the answer's history.

    Each answer on a page has its own form: ``prefix`` is ``answer-<pk>``, so every field id
    on the page is unique and the POST is read back with the same prefix."""

    reason = forms.CharField(
        label=_("Motivo de la reapertura"),
        max_length=REOPEN_REASON_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("La delegación lo verá en el historial de su respuesta."),
    )

    def __init__(self, *args, answer=None, **kwargs):
        kwargs.setdefault("prefix", f"answer-{answer.pk}" if answer is not None else None)
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        if answer is not None:
            self.helper.form_action = reverse("consultations:reopen", args=[answer.pk])
            self.helper.form_id = f"reopen-{answer.pk}"
        self.helper.form_method = "post"
        self.helper.form_class = "reopen-form"
        button = Submit("reopen", _("Reabrir"))
        button.field_classes = "btn btn-outline-danger btn-sm"
        if answer is not None:
            button.id = f"reopen-submit-{answer.pk}"  # one per answer on the page
        self.helper.add_input(button)


class CompendiumForm(forms.Form):
    """Which language the PDF compendium is written in."""

    language = forms.ChoiceField(
        label=_("Idioma del compendio"),
        choices=[("es", "Español"), ("en", "English")],
        initial="es",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_action = reverse("consultations:compendium_start")
        self.helper.form_id = "compendium-form"
        self.helper.form_method = "post"
        self.helper.add_input(Submit("start", _("Generar el compendio en PDF")))
