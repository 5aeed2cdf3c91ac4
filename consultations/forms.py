"""The delegation's answer form, and the choices offered when two people edited at once."""

from crispy_forms.bootstrap import FormActions, StrictButton
from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Field, Layout
from django import forms
from django.conf import settings
from django.utils.formats import number_format
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

SAVE = "save"
SUBMIT = "submit"


def _normalised(text: str) -> str:
    """The text as the service stores it: browsers send line breaks as CR LF."""
    return text.replace("\r\n", "\n")


class AnswerForm(forms.Form):
    """The answer's text and the version its writer started from (0: no answer yet).

    The length limit is checked here, on the text as it will be stored, and again by
    ``consultations.services.answer_save``; the textarea has no ``maxlength`` because a
    browser would silently cut a pasted text, and nothing typed may be lost.
    """

    text = forms.CharField(
        label=_("Respuesta de su delegación"),
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 12}),
    )
    version = forms.IntegerField(min_value=0, widget=forms.HiddenInput)

    def __init__(self, *args, action: str, can_submit: bool, form_id: str = "answer-form", **kw):
        super().__init__(*args, **kw)
        limit = settings.ANSWER_MAX_CHARS
        self.fields["text"].help_text = _(
            "Máximo %(limit)s caracteres. Guarde borradores cuantas veces quiera: su "
            "delegación ve siempre la última versión guardada."
        ) % {"limit": number_format(limit, force_grouping=True)}
        self.fields["text"].widget.attrs.update(
            {
                "data-max-chars": str(limit),
                "data-counter": gettext("%(count)s de %(limit)s caracteres"),
                "data-counter-over": gettext(
                    "%(count)s de %(limit)s caracteres: sobran %(over)s. Acorte el texto "
                    "antes de guardar."
                ),
            }
        )
        buttons = [
            StrictButton(
                gettext("Guardar borrador"),
                type="submit",
                name="action",
                value=SAVE,
                # The page's main button unless this person also submits.
                css_class="btn-outline-primary" if can_submit else "btn-primary",
            )
        ]
        confirmation = []
        if can_submit:
            buttons.append(
                StrictButton(
                    gettext("Enviar la respuesta del país"),
                    type="submit",
                    name="action",
                    value=SUBMIT,
                    css_class="btn-primary",
                )
            )
            confirmation.append(
                HTML(
                    format_html(
                        '<p class="small answer-submit-note">{}</p>',
                        gettext(
                            "Al enviar, el texto pasa a ser la respuesta oficial de su país "
                            "y ya no se puede modificar (solo la Secretaría puede reabrirla)."
                        ),
                    )
                )
            )
        self.helper = FormHelper()
        self.helper.form_id = form_id
        self.helper.form_action = action
        self.helper.attrs = {"novalidate": ""}
        self.helper.layout = Layout(
            Field("text", css_class="answer-text"),
            "version",
            *confirmation,
            FormActions(*buttons, css_class="answer-actions"),
        )

    def clean_text(self) -> str:
        text = _normalised(self.cleaned_data["text"])
        limit = settings.ANSWER_MAX_CHARS
        if len(text) > limit:
            raise forms.ValidationError(
                _(
                    "La respuesta tiene %(length)s caracteres; el máximo es %(limit)s. "
                    "Acórtela y vuelva a guardar: su texto sigue en el formulario."
                ),
                code="too_long",
                params={"length": len(text), "limit": limit},
            )
        return text


class KeepMineForm(forms.Form):
    """After a conflict: save the writer's own text over the stored one, knowingly."""

    text = forms.CharField(required=False, strip=False, widget=forms.HiddenInput)
    version = forms.IntegerField(min_value=0, widget=forms.HiddenInput)

    def __init__(self, *args, action: str, **kwargs):
        kwargs.setdefault("auto_id", "keep_%s")  # beside the combined form on one page
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_id = "keep-mine-form"
        self.helper.form_action = action
        self.helper.layout = Layout(
            "text",
            "version",
            StrictButton(
                gettext("Guardar mi texto"),
                type="submit",
                name="action",
                value=SAVE,
                css_class="btn-outline-primary",
            ),
        )
