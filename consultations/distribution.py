"""Sending trigger questions to countries (the admin's "Distribuir a países…" action)."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from consultations.models import QuestionAssignment, QuestionDistribution, TriggerQuestion
from consultations.notifications import distribution_notify
from participants.models import Country


class DistributionError(Exception):
    def __init__(self, message):
        self.message = message
        super().__init__(str(message))


def distributable_countries(*, workshop) -> list[Country]:
    """The countries with a delegation in ``workshop``, in name order."""
    return list(Country.objects.filter(delegations__workshop=workshop).order_by("name_es"))


def questions_distribute(
    *, questions: Iterable[TriggerQuestion], countries: Iterable[Country], by
) -> tuple[QuestionDistribution, int]:
    """Assign ``questions`` to ``countries`` and e-mail every approved delegate of those
    countries, all in one transaction; returns the distribution and how many people will be
    e-mailed.

    An assignment that exists already is kept as it is (with its extension); a new one
    records this distribution. Each person is notified once per distribution (the key
    ``distribution-<pk>``), in their language, after the commit. Raises
    ``DistributionError`` when there is nothing to send, when the questions belong to more
    than one workshop, or when a country has no delegation in that workshop.
    """
    questions = list(questions)
    countries = list(countries)
    if not questions or not countries:
        raise DistributionError(_("Elija al menos una pregunta y un país."))
    workshop_ids = {question.workshop_id for question in questions}
    if len(workshop_ids) != 1:
        raise DistributionError(
            _("Las preguntas elegidas son de talleres distintos: distribúyalas por separado.")
        )
    workshop = questions[0].workshop
    allowed = {country.pk for country in distributable_countries(workshop=workshop)}
    if any(country.pk not in allowed for country in countries):
        raise DistributionError(_("Uno de los países no tiene delegación en este taller."))
    with transaction.atomic():
        distribution = QuestionDistribution.objects.create(workshop=workshop, created_by=by)
        distribution.questions.set(questions)
        distribution.countries.set(countries)
        for question in questions:
            for country in countries:
                QuestionAssignment.objects.get_or_create(
                    question=question, country=country, defaults={"distribution": distribution}
                )
        notified = distribution_notify(distribution=distribution)
    return distribution, len(notified)
