"""The production path: database task backend + `db_worker`, and several workers at once."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection, transaction
from django.test import override_settings

from cityops.accounts.models import User
from cityops.notifications.models import Delivery, Notification
from cityops.notifications.services import notify
from cityops.notifications.tasks import deliver_notification

DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.mark.django_db(transaction=True)
@override_settings(TASKS=DB_TASKS)
def test_database_backend_and_db_worker_deliver_after_commit() -> None:
    from django_tasks_db.models import DBTaskResult

    alice = User.objects.create_user(username="a", password="a-pass-12345", email="a@example.cn")
    with transaction.atomic():
        notify(
            recipients=[alice], code="case.overdue", title="案件超时", channels=["inbox", "email"]
        )
        assert not DBTaskResult.objects.exists()  # nothing queued before commit
    assert DBTaskResult.objects.count() == 1  # queued, not yet run
    assert not Notification.objects.exists()
    call_command("db_worker", batch=True, startup_delay=False, reload=False, verbosity=0)
    assert Notification.objects.get().title == "案件超时"
    assert len(mail.outbox) == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs real concurrent connections (PostgreSQL)"
)
def test_two_workers_running_the_same_task_send_once() -> None:
    user = User.objects.create_user(username="w", password="w-pass-12345", email="w@example.cn")
    kwargs: dict[str, Any] = {
        "recipient_id": user.pk,
        "dedupe_key": "case:1:overdue",
        "code": "case.overdue",
        "title": "案件超时",
        "channels": ["inbox", "email"],
    }
    barrier = threading.Barrier(4)
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            barrier.wait()
            deliver_notification.call(**kwargs)
        except BaseException as exc:  # report in the main thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert Notification.objects.count() == 1
    assert Delivery.objects.filter(status="sent").count() == 2
    assert len(mail.outbox) == 1
