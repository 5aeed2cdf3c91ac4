"""The sign-in predicates at their edges: who counts as staff, which proof counts, and for
how long a proof or an enrolment grant lasts (to the second)."""

import datetime as dt

import pytest
import time_machine
from allauth.account.internal.flows.login import record_authentication
from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.backends.db import SessionStore
from django.test import RequestFactory

from crm_workshop.signin import rules
from tests.admin_factories import StaffUserFactory
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

MOMENT = dt.datetime(2026, 6, 14, 9, 0, 0, tzinfo=dt.UTC)


def _request(user):
    request = RequestFactory().get("/")
    request.user = user
    request.session = SessionStore()
    return request


def _staff():
    return StaffUserFactory(is_superuser=False)


def test_is_staff_account_for_each_kind_of_account():
    assert rules.is_staff_account(StaffUserFactory(is_staff=True, is_superuser=False)) is True
    assert rules.is_staff_account(StaffUserFactory(is_staff=False, is_superuser=True)) is True
    assert rules.is_staff_account(UserFactory(is_staff=False, is_superuser=False)) is False
    assert rules.is_staff_account(AnonymousUser()) is False


def test_session_used_mfa_only_with_a_second_factor_record():
    request = _request(_staff())
    record_authentication(request, request.user, "password")
    assert rules.session_used_mfa(request) is False

    record_authentication(request, request.user, "mfa", type="recovery_codes")
    assert rules.session_used_mfa(request) is True


def test_recently_proved_totp_lasts_the_reauthentication_timeout_to_the_second(settings):
    settings.ACCOUNT_REAUTHENTICATION_TIMEOUT = 300
    request = _request(_staff())
    with time_machine.travel(MOMENT, tick=False) as clock:
        record_authentication(request, request.user, "mfa", type="totp", reauthenticated=True)
        clock.shift(dt.timedelta(seconds=299))
        assert rules.recently_proved_totp(request) is True
        clock.shift(dt.timedelta(seconds=1))
        assert rules.recently_proved_totp(request) is False


def test_recently_proved_totp_not_by_the_sign_in_code_alone():
    request = _request(_staff())
    record_authentication(request, request.user, "mfa", type="totp")
    assert rules.recently_proved_totp(request) is False


def test_recently_proved_totp_not_by_a_recovery_code_or_password():
    request = _request(_staff())
    record_authentication(request, request.user, "password", reauthenticated=True)
    record_authentication(request, request.user, "mfa", type="recovery_codes", reauthenticated=True)
    assert rules.recently_proved_totp(request) is False


def test_recently_proved_totp_record_without_time_counts_as_made_at_the_epoch(settings):
    settings.ACCOUNT_REAUTHENTICATION_TIMEOUT = 300
    request = _request(_staff())
    record_authentication(request, request.user, "password")
    request.session["account_authentication_methods"] = [
        {"method": "mfa", "type": "totp", "reauthenticated": True}
    ]
    with time_machine.travel(dt.datetime(1970, 1, 1, 0, 4, 59, tzinfo=dt.UTC), tick=False):
        assert rules.recently_proved_totp(request) is True
    with time_machine.travel(dt.datetime(1970, 1, 1, 0, 5, 0, tzinfo=dt.UTC), tick=False):
        assert rules.recently_proved_totp(request) is False


def test_enrolment_grant_is_stored_for_the_signed_in_user_with_its_end():
    request = _request(_staff())
    with time_machine.travel(MOMENT, tick=False):
        rules.grant_enrolment(request)

    assert request.session[rules.ENROLMENT_GRANT_SESSION_KEY] == {
        "user": str(request.user.pk),
        "until": MOMENT.timestamp() + 15 * 60,
    }
    assert rules.ENROLMENT_GRANT_SESSION_KEY == "crm_workshop.staff_mfa_enrolment"


def test_enrolment_grant_lasts_fifteen_minutes_to_the_second():
    request = _request(_staff())
    with time_machine.travel(MOMENT, tick=False) as clock:
        rules.grant_enrolment(request)
        clock.shift(dt.timedelta(seconds=15 * 60 - 1))
        assert rules.has_enrolment_grant(request) is True
        assert rules.may_add_authenticator(request) is True
        clock.shift(dt.timedelta(seconds=1))
        assert rules.has_enrolment_grant(request) is False
        assert rules.may_add_authenticator(request) is False


def test_enrolment_grant_of_another_user_does_not_count():
    request = _request(_staff())
    other = _staff()
    request.session[rules.ENROLMENT_GRANT_SESSION_KEY] = {
        "user": str(other.pk),
        "until": MOMENT.timestamp() + 60,
    }
    with time_machine.travel(MOMENT, tick=False):
        assert rules.has_enrolment_grant(request) is False


def test_enrolment_grant_without_end_or_not_a_dict_does_not_count():
    request = _request(_staff())
    with time_machine.travel(dt.datetime(1970, 1, 1, 0, 0, 0, tzinfo=dt.UTC), tick=False):
        request.session[rules.ENROLMENT_GRANT_SESSION_KEY] = {"user": str(request.user.pk)}
        assert rules.has_enrolment_grant(request) is False
        request.session[rules.ENROLMENT_GRANT_SESSION_KEY] = [str(request.user.pk)]
        assert rules.has_enrolment_grant(request) is False


def test_clear_enrolment_grant_removes_only_the_grant():
    request = _request(_staff())
    rules.grant_enrolment(request)
    request.session["other"] = 1

    rules.clear_enrolment_grant(request)
    rules.clear_enrolment_grant(request)  # a second time is harmless

    assert dict(request.session.items()) == {"other": 1}


def test_may_add_authenticator_for_each_kind_of_account():
    assert rules.may_add_authenticator(_request(UserFactory())) is True
    assert rules.may_add_authenticator(_request(_staff())) is False
    staff = _request(_staff())
    record_authentication(staff, staff.user, "mfa", type="totp", reauthenticated=True)
    assert rules.may_add_authenticator(staff) is True


def test_may_change_second_factor_for_each_kind_of_account():
    assert rules.may_change_second_factor(_request(UserFactory())) is True
    assert rules.may_change_second_factor(_request(_staff())) is False
    staff = _request(_staff())
    record_authentication(staff, staff.user, "mfa", type="totp", reauthenticated=True)
    assert rules.may_change_second_factor(staff) is True
