"""Helpers of the moderator console's tests: URLs, a snapshot of what the console writes,
and a valid posted agreement."""

from bs4 import BeautifulSoup
from django.urls import reverse as django_reverse
from django.utils import translation

from agreements.models import Agreement, SessionRecord


def reverse(name, **kwargs) -> str:
    """The Spanish (unprefixed) path, whatever language an earlier /en/ request left active."""
    with translation.override("es"):
        return django_reverse(name, **kwargs)


def console_url(number=1) -> str:
    return reverse("moderation:console", kwargs={"number": number})


def edit_url(agreement, number=None) -> str:
    number = number or agreement.session.number
    return reverse("moderation:edit", kwargs={"number": number, "pk": agreement.pk})


def move_url(agreement) -> str:
    return reverse(
        "moderation:move", kwargs={"number": agreement.session.number, "pk": agreement.pk}
    )


def status_url(agreement) -> str:
    return reverse(
        "moderation:status", kwargs={"number": agreement.session.number, "pk": agreement.pk}
    )


def close_url(number=1) -> str:
    return reverse("moderation:close", kwargs={"number": number})


def reopen_url(number=1) -> str:
    return reverse("moderation:reopen", kwargs={"number": number})


def snapshot() -> tuple:
    """Everything a console write could change: every agreement's fields and parties, every
    history row, every session record."""
    agreements = [
        (
            a.pk,
            a.number,
            a.session_id,
            a.text_es,
            a.text_en,
            a.axis_id,
            a.agenda_item_id,
            a.term,
            a.due_date,
            a.status,
            a.version,
            tuple(sorted(a.responsible_countries.values_list("pk", flat=True))),
            tuple(sorted(a.responsible_organisations.values_list("pk", flat=True))),
        )
        for a in Agreement.objects.order_by("pk")
    ]
    records = list(
        SessionRecord.objects.order_by("pk").values_list(
            "session_id", "closed_at", "closed_by", "reopened_at", "reopen_reason"
        )
    )
    return (
        agreements,
        records,
        Agreement.history.count(),
        SessionRecord.history.filter(closed_at__isnull=False).count(),
    )


def agreement_post(session, **overrides) -> dict:
    """A complete, valid posted agreement for ``session`` (its first block, axis 1, Mexico
    and El Salvador, OIM), with ``overrides`` applied (``None`` drops a field)."""
    workshop = session.workshop
    data = {
        "text_es": "Intercambiar alertas migratorias sobre rutas de tráfico ilícito.",
        "text_en": "Exchange migration alerts on smuggling routes.",
        "axis": workshop.axes.get(number=1).pk,
        "agenda_item": session.items.order_by("order").first().pk,
        "responsible_countries": ["MX", "SV"],
        "responsible_organisations": [
            workshop.organiser.__class__.objects.get(code="OIM").pk,
        ],
        "term": "medium",
        "due_date": "2022-12-31",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def text_of(response) -> str:
    return BeautifulSoup(response.content, "html.parser").get_text(" ", strip=True)


def soup(response) -> BeautifulSoup:
    return BeautifulSoup(response.content, "html.parser")
