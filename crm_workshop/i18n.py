"""Bilingual content fields (``title_es`` / ``title_en``) read in the active language."""

from django.utils.translation import get_language

CONTENT_LANGUAGES = ("es", "en")


def active_content_language() -> str:
    """The active UI language reduced to one of CONTENT_LANGUAGES (Spanish by default)."""
    language = (get_language() or "es").split("-")[0]
    return language if language in CONTENT_LANGUAGES else "es"


class Localized:
    """Descriptor: ``title = Localized("title")`` reads ``title_<lang>``, falling back to Spanish.

    The Spanish text is the source of record (the concept note is Spanish), so an empty
    English field never leaves a blank on an English page.
    """

    def __init__(self, base: str) -> None:
        self.base = base

    def __get__(self, instance, owner=None):
        if instance is None:
            return self
        value = getattr(instance, f"{self.base}_{active_content_language()}", "")
        return value or getattr(instance, f"{self.base}_es", "")
