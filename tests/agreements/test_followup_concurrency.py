"""The same progress entry sent twice at once (a double click reaching two workers) is
recorded once.

The first request records and holds its transaction open; the second sends the same entry
meanwhile. ``followup_record_once`` takes the agreement's row lock before it looks for an
identical entry, so the second waits for the first to commit, then finds its entry and
writes nothing; without the lock both would look before either wrote, and both would write.
SQLite cannot show this, so the test needs PostgreSQL (CI's second pass).
"""

import datetime as dt
import threading
import time

import pytest
from django.core.management import call_command
from django.db import connection, transaction

from agreements.followup import followup_record_once
from agreements.models import Agreement, AgreementFollowUp
from participants.models import User
from tests.agreements.followup_helpers import make_agreement
from tests.services import require_services

pytestmark = pytest.mark.services

HOLD_SECONDS = 1.0


def test_two_identical_entries_at_once_are_recorded_once(transactional_db):
    require_services()
    call_command("seed_demo", force=True, verbosity=0)
    staff = User.objects.get(email="secretaria@crm-workshop.test")
    session = Agreement._meta.get_field("session").related_model.objects.get(number=1)
    agreement = make_agreement(session, by=staff, countries=("MX",))
    entry = {"status": "in_progress", "date": dt.date(2022, 7, 1), "note": "Reunión."}
    first_holds = threading.Event()
    outcomes: dict[str, object] = {}
    errors: list[BaseException] = []

    def first() -> None:
        try:
            with transaction.atomic():
                outcomes["first"] = followup_record_once(agreement=agreement, by=staff, **entry)
                first_holds.set()
                time.sleep(HOLD_SECONDS)
        except BaseException as error:  # noqa: BLE001 - reported by the main thread
            errors.append(error)
            first_holds.set()
        finally:
            connection.close()

    def second() -> None:
        try:
            first_holds.wait(timeout=10)
            started = time.monotonic()
            result = followup_record_once(agreement=agreement, by=staff, **entry)
            outcomes["second"] = (result, time.monotonic() - started)
        except BaseException as error:  # noqa: BLE001
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert errors == []
    assert isinstance(outcomes["first"], AgreementFollowUp)
    result, waited = outcomes["second"]
    assert result is None
    assert waited >= HOLD_SECONDS * 0.8  # it waited for the first to commit
    assert AgreementFollowUp.objects.filter(agreement=agreement).count() == 1
    agreement.refresh_from_db()
    assert agreement.follow_up_status == "in_progress"
