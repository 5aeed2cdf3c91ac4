"""Publishing Celery tasks without keeping a request waiting on the broker.

Every ``.delay()``/``.apply_async()`` of the project goes through :func:`task_publish`.
"""

from __future__ import annotations

from typing import Any

from celery import Task
from kombu.exceptions import OperationalError

from crm_workshop.outage import outage_for

# Raised by task_publish when the task could not be handed to the broker.
BrokerUnavailable = OperationalError

# After a failed publish, this process does not try the broker again for this long: a batch
# (an admin action on many rows, the outbox sweep) costs one timeout, not one per row.
RETRY_AFTER_SECONDS = 30.0


def task_publish(task: Task, /, **kwargs: Any) -> None:
    """Queue ``task`` with keyword arguments ``kwargs``.

    Guarantees:

    * Returns or raises ``BrokerUnavailable`` within about 1 s when the broker refuses,
      drops or never answers (one attempt, no publish retry; the socket timeouts and
      ``max_retries: 0`` are in ``CELERY_BROKER_TRANSPORT_OPTIONS``), about 2 s at worst
      (a slow TCP connect, then no answer). Callers keep the work in an outbox row and let
      a periodic sweep publish it again.
    * After a failure, calls in the next ``RETRY_AFTER_SECONDS`` raise ``BrokerUnavailable``
      at once without touching the broker, except one probe per back-off (logged once per
      outage, see ``crm_workshop.outage``).
    * Without a broker (``task_always_eager``) the task runs inline, as ``delay`` would,
      and its exceptions reach the caller.
    """
    app = task.app
    if app.conf.task_always_eager:
        task.apply_async(kwargs=kwargs)
        return
    with app.connection_for_write() as connection:
        where = connection.as_uri()  # the password masked
    outage = outage_for("broker", where, retry_after=RETRY_AFTER_SECONDS)
    if not outage.should_try():
        raise BrokerUnavailable(f"{where} failed less than {RETRY_AFTER_SECONDS:.0f}s ago")
    try:
        task.apply_async(kwargs=kwargs, retry=False)
    except BrokerUnavailable as error:
        outage.failed(error)
        raise
    outage.recovered()
