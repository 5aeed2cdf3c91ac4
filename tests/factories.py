"""factory_boy factories for every model tests build by hand."""

import datetime as dt
import zoneinfo

import factory

from agenda import models as agenda
from participants import models as participants

SAN_SALVADOR = zoneinfo.ZoneInfo("America/El_Salvador")


def local(year, month, day, hour, minute=0, zone=SAN_SALVADOR):
    """An aware datetime at a wall-clock time in ``zone``."""
    return dt.datetime(year, month, day, hour, minute, tzinfo=zone)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = participants.User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.org")
    password = factory.django.Password("correct-horse-battery")


class CountryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = participants.Country
        django_get_or_create = ("iso_code",)

    iso_code = "SV"
    name_es = "El Salvador"
    name_en = "El Salvador"
    time_zone = "America/El_Salvador"
    working_language = "es"


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = participants.Organisation
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"ORG-{n}")
    name_es = factory.Sequence(lambda n: f"Organización {n}")
    name_en = factory.Sequence(lambda n: f"Organisation {n}")
    kind = participants.Organisation.Kind.INTERNATIONAL


class WorkshopFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = agenda.Workshop

    slug = factory.Sequence(lambda n: f"taller-{n}")
    title_es = "Intercambio técnico de prueba"
    title_en = "Test technical exchange"
    organiser = factory.SubFactory(OrganisationFactory)
    time_zone = "America/El_Salvador"


class SessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = agenda.Session

    workshop = factory.SubFactory(WorkshopFactory)
    number = factory.Sequence(lambda n: n + 1)
    title_es = "Sesión de prueba"
    title_en = "Test session"
    start = local(2022, 6, 14, 10)
    end = local(2022, 6, 14, 12)


class AgendaItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = agenda.AgendaItem

    session = factory.SubFactory(SessionFactory)
    order = factory.Sequence(lambda n: n + 1)
    start = factory.LazyAttribute(lambda o: o.session.start)
    end = factory.LazyAttribute(lambda o: o.session.start + dt.timedelta(minutes=10))
    kind = agenda.AgendaItem.Kind.PRESENTATION
    title_es = factory.Sequence(lambda n: f"Bloque {n}")
    title_en = factory.Sequence(lambda n: f"Block {n}")


class SpeakerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = agenda.Speaker

    name = factory.Sequence(lambda n: f"Ponente {n}")
    organisation = factory.SubFactory(OrganisationFactory)


class ParticipationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = agenda.Participation

    agenda_item = factory.SubFactory(AgendaItemFactory)
    speaker = factory.SubFactory(SpeakerFactory)
    role = agenda.Participation.Role.SPEAKER
    status = agenda.Participation.Status.CONFIRMED
