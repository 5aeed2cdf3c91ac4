"""Forms shared by the apps: optimistic locking of rows with a ``version`` counter.

``VersionCheckedForm`` checks the version; ``VersionedAdminMixin`` is the admin half of the
same contract (it installs the form and bumps the version on every save), kept beside it.
"""

from django import forms
from django.db import transaction
from django.utils.translation import gettext_lazy as _

MISSING_VERSION_MESSAGE = _(
    "El formulario no indica qué versión del registro editaba, así que no se puede comprobar "
    "si otra persona lo cambió entretanto. Vuelva a abrirlo y guarde de nuevo."
)


class VersionCheckedForm(forms.ModelForm):
    """A change form for a model with a ``version`` counter (Answer, Agreement).

    The version the form was opened with travels in a hidden field, required when editing an
    existing row. The form refuses to save when that version is missing or malformed, or when
    somebody saved the row since (a delegation, the moderator console). Inside a transaction
    (the admin's) the current version is read with ``SELECT ... FOR UPDATE``, so two saves of
    the same version cannot both pass the check.
    """

    expected_version = forms.IntegerField(
        widget=forms.HiddenInput,
        required=False,
        min_value=1,
        error_messages={
            "required": MISSING_VERSION_MESSAGE,
            "invalid": MISSING_VERSION_MESSAGE,
            "min_value": MISSING_VERSION_MESSAGE,
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            field = self.fields["expected_version"]
            field.required = True
            field.initial = self.instance.version

    def clean(self):
        cleaned_data = super().clean()
        if not self.instance.pk or "expected_version" in self.errors:
            return cleaned_data
        expected = cleaned_data["expected_version"]
        rows = type(self.instance)._default_manager.filter(pk=self.instance.pk)
        if not transaction.get_autocommit(using=rows.db):
            rows = rows.select_for_update(of=("self",))  # held until the save commits
        current = rows.values_list("version", flat=True).first()
        if current != expected:
            raise forms.ValidationError(
                _(
                    "Otra persona guardó este registro mientras lo editaba (versión "
                    "%(current)s; usted partió de la %(expected)s). Vuelva a abrirlo "
                    "para ver los cambios antes de guardar."
                ),
                code="stale_version",
                params={"current": current, "expected": expected},
            )
        return cleaned_data


class VersionedAdminMixin:
    """Every admin save of an existing row bumps ``version`` so stale editors notice."""

    form = VersionCheckedForm

    def save_model(self, request, obj, form, change):
        if change:
            obj.version += 1
        super().save_model(request, obj, form, change)
