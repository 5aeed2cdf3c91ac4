"""Every date-time field of an admin form names the zone it uses, also when the form is built
outside a change page and when the field has a help text of its own."""

import pytest
from django import forms
from django.contrib import admin
from django.test import RequestFactory

from agenda.models import Session, Workshop
from crm_workshop.admin import label_datetime_fields
from tests.admin_factories import StaffUserFactory

pytestmark = pytest.mark.django_db

UTC_NOTE = "Hora UTC (no hay un taller del que tomar la zona de referencia)."


def _request():
    request = RequestFactory().get("/admin/")
    request.user = StaffUserFactory()
    return request


def test_label_datetime_fields_appends_the_zone_to_a_fields_own_help_text():
    class MeetingForm(forms.Form):
        start = forms.DateTimeField(help_text="Inicio de la reunión.")
        end = forms.DateTimeField()
        title = forms.CharField(help_text="Título.")

    label_datetime_fields(MeetingForm, "America/El_Salvador")

    assert [f.help_text for f in MeetingForm.base_fields.values()] == [
        "Inicio de la reunión. Hora de America/El_Salvador.",
        "Hora de America/El_Salvador.",
        "Título.",
    ]


def test_admin_form_built_outside_a_change_page_says_utc():
    form = admin.site._registry[Session].get_form(_request())

    assert form.base_fields["start"].help_text == UTC_NOTE


def test_admin_inline_built_outside_a_change_page_says_utc():
    (inline,) = [
        i
        for i in admin.site._registry[Workshop].get_inline_instances(_request())
        if i.model is Session
    ]

    formset = inline.get_formset(_request())

    assert formset.form.base_fields["start"].help_text == UTC_NOTE
