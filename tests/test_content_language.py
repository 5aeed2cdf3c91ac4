"""Which language bilingual content is read in: the UI language reduced to es or en."""

import pytest
from django.utils import translation

from agenda.models import Workshop
from crm_workshop.i18n import Localized, active_content_language
from tests.factories import WorkshopFactory


@pytest.mark.parametrize(
    ("ui_language", "expected"),
    [("es", "es"), ("en", "en"), ("en-gb", "en"), ("es-mx", "es"), ("fr", "es"), ("pt-br", "es")],
)
def test_active_content_language_reduces_ui_language(ui_language, expected):
    with translation.override(ui_language):
        assert active_content_language() == expected


def test_localized_read_on_the_class_is_the_descriptor():
    descriptor = Workshop.title

    assert isinstance(descriptor, Localized)
    assert descriptor.base == "title"


@pytest.mark.django_db
def test_localized_regional_english_reads_english():
    workshop = WorkshopFactory(title_es="Intercambio técnico", title_en="Technical exchange")

    with translation.override("en-gb"):
        assert workshop.title == "Technical exchange"


@pytest.mark.django_db
def test_localized_unsupported_language_reads_spanish():
    workshop = WorkshopFactory(title_es="Intercambio técnico", title_en="Technical exchange")

    with translation.override("fr"):
        assert workshop.title == "Intercambio técnico"


def content_type(**columns):
    """A content class built in the test itself (descriptors are created at class creation),
    with ``body = Localized("body")`` and only the given ``body_<lang>`` columns."""
    return type("Content", (), {"body": Localized("body"), **columns})


def test_localized_without_english_column_reads_spanish():
    notice = content_type(body_es="Aviso en español")()

    with translation.override("en"):
        assert notice.body == "Aviso en español"


def test_localized_without_any_column_reads_empty_text():
    untitled = content_type()()

    with translation.override("en"):
        assert untitled.body == ""
    with translation.override("es"):
        assert untitled.body == ""
