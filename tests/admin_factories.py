"""Factories for the models tests/factories.py does not cover yet (used by the admin tests)."""

import contextlib
import datetime as dt
import time

import factory
import time_machine
from allauth.account.models import EmailAddress
from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import (
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
)

from agenda import models as agenda
from agreements import models as agreements
from consultations import models as consultations
from participants import models as participants
from tests.factories import (
    AgendaItemFactory,
    CountryFactory,
    OrganisationFactory,
    SessionFactory,
    UserFactory,
    WorkshopFactory,
)


class StaffUserFactory(UserFactory):
    is_staff = True
    is_superuser = True


def activate_totp(user) -> tuple[Authenticator, str]:
    """Give ``user`` a TOTP authenticator the way allauth does; returns it and its secret."""
    secret = generate_totp_secret()
    return TOTP.activate(user, secret).instance, secret


def verified(user):
    """``user`` with its address verified, so allauth's e-mail login lets it in."""
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


#: The first second of a TOTP period: a code made for it is valid all through a frozen test.
TOTP_MOMENT = dt.datetime(2026, 6, 14, 15, 0, 0, tzinfo=dt.UTC)


@contextlib.contextmanager
def frozen_totp_clock():
    """Stops the clock allauth checks TOTP codes against at ``TOTP_MOMENT``.

    A code built from a running clock fails when a period turns between building it and
    posting it (allauth's ``MFA_TOTP_TOLERANCE`` is 0). ``traveller.shift(30)`` moves to the
    next period, where a fresh code is needed (allauth refuses a code used twice).
    """
    with time_machine.travel(TOTP_MOMENT, tick=False) as traveller:
        yield traveller


def totp_code(secret: str) -> str:
    """The code an authenticator app shows now (the frozen moment, in tests)."""
    return format_hotp_value(hotp_value(secret, int(time.time()) // mfa_settings.TOTP_PERIOD))


class WorkshopPartnerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = agenda.WorkshopPartner

    workshop = factory.SubFactory(WorkshopFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role_es = "Apoya"
    order = factory.Sequence(lambda n: n)


class AxisFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = agenda.Axis

    workshop = factory.SubFactory(WorkshopFactory)
    number = factory.Sequence(lambda n: n + 1)
    title_es = factory.Sequence(lambda n: f"Eje de prueba {n}")


class ObjectiveFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = agenda.Objective

    workshop = factory.SubFactory(WorkshopFactory)
    order = factory.Sequence(lambda n: n + 1)
    text_es = factory.Sequence(lambda n: f"Objetivo de prueba {n}")


class SegmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = agenda.Segment

    agenda_item = factory.SubFactory(AgendaItemFactory)
    order = factory.Sequence(lambda n: n + 1)
    title_es = factory.Sequence(lambda n: f"Intervención {n}")
    duration_minutes = 5


class DelegationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = participants.Delegation
        django_get_or_create = ("workshop", "country")

    workshop = factory.SubFactory(WorkshopFactory)
    country = factory.SubFactory(CountryFactory)


class ParticipantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = participants.Participant

    user = factory.SubFactory(UserFactory)
    delegation = factory.SubFactory(DelegationFactory)
    workshop = factory.LazyAttribute(lambda o: o.delegation.workshop)
    role = participants.Participant.Role.DELEGATE
    institution = "Dirección General de Migración"


class InvitationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = participants.Invitation

    delegation = factory.SubFactory(DelegationFactory)
    workshop = factory.LazyAttribute(lambda o: o.delegation.workshop)
    email = factory.Sequence(lambda n: f"invitado{n}@example.org")
    full_name = factory.Sequence(lambda n: f"Persona invitada {n}")


class AttendanceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = participants.Attendance

    participant = factory.SubFactory(ParticipantFactory)
    session = factory.SubFactory(
        SessionFactory, workshop=factory.SelfAttribute("..participant.workshop")
    )


class TriggerQuestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = consultations.TriggerQuestion

    workshop = factory.SubFactory(WorkshopFactory)
    code = factory.Sequence(lambda n: f"TQ-{n}")
    order = factory.Sequence(lambda n: n)
    text_es = factory.Sequence(lambda n: f"¿Pregunta detonadora {n}?")


class QuestionAssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = consultations.QuestionAssignment

    question = factory.SubFactory(TriggerQuestionFactory)
    country = factory.SubFactory(CountryFactory)


class AnswerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = consultations.Answer

    question = factory.SubFactory(TriggerQuestionFactory)
    delegation = factory.SubFactory(
        DelegationFactory, workshop=factory.SelfAttribute("..question.workshop")
    )
    text = "Respuesta de la delegación."


class AgreementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = agreements.Agreement

    session = factory.SubFactory(SessionFactory)
    workshop = factory.LazyAttribute(lambda o: o.session.workshop)
    number = factory.Sequence(lambda n: n + 1)
    text_es = factory.Sequence(lambda n: f"Acuerdo de prueba {n}")

    @classmethod
    def _adjust_kwargs(cls, **kwargs):
        """``text=`` sets the Spanish text (the language a moderator writes first)."""
        if "text" in kwargs:
            kwargs["text_es"] = kwargs.pop("text")
        return kwargs


class MinutesFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = agreements.Minutes

    workshop = factory.SubFactory(WorkshopFactory)
    version = factory.Sequence(lambda n: n + 1)
    render_status = agreements.Minutes.RenderStatus.READY
    sha256 = "a" * 64
    generated_at = dt.datetime(2022, 6, 16, 15, 0, tzinfo=dt.UTC)
