"""notify → after commit → task → inbox / e-mail / SMS, once per (recipient, dedupe key)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.db import transaction
from django.test import override_settings
from django.utils import timezone
from django.utils.translation import gettext_lazy

from cityops.accounts.models import User
from cityops.core.models import AuditEvent, OutboxStatus
from cityops.core.outbox import outbox_retry
from cityops.notifications.backends import SmsBackend
from cityops.notifications.models import ContactPoint, Delivery, Notification
from cityops.notifications.services import contact_point_set, notify
from cityops.notifications.tasks import deliver_notification

pytestmark = pytest.mark.django_db

SENT_SMS: list[tuple[str, str]] = []


class RecordingSms(SmsBackend):
    """Stands in for the SMS gateway (an outside boundary)."""

    def send(self, phone: str, text: str) -> None:
        SENT_SMS.append((phone, text))


class BrokenSms(SmsBackend):
    def send(self, phone: str, text: str) -> None:
        raise ConnectionError("gateway timeout")


HERE = "cityops.notifications.tests.test_delivery"


@pytest.fixture(autouse=True)
def _clear_sms() -> None:
    SENT_SMS.clear()


def _kwargs(user: User, **extra: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "recipient_id": user.pk,
        "dedupe_key": "case:7:dispatched",
        "code": "case.dispatched",
        "title": "案件已派遣",
        "body": "请在时限内处置",
        "url": "/cases/7/",
        "channels": ["inbox", "email"],
    }
    base.update(extra)
    return base


def test_delivery_waits_for_commit(alice: User, django_capture_on_commit_callbacks: Any) -> None:
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        notify(recipients=[alice], code="case.dispatched", title="案件已派遣", channels=["inbox"])
        assert not Notification.objects.exists()
    assert len(callbacks) == 1
    callbacks[0]()
    n = Notification.objects.get()
    assert (n.recipient, n.code, n.title, n.read_at) == (
        alice,
        "case.dispatched",
        "案件已派遣",
        None,
    )
    assert n.deliveries.get().status == OutboxStatus.SENT


def test_nothing_is_sent_when_the_transaction_rolls_back(
    alice: User, django_capture_on_commit_callbacks: Any
) -> None:
    def failing_transition() -> None:
        with transaction.atomic():
            notify(recipients=[alice], code="x", title="t", channels=["inbox", "email"])
            raise RuntimeError("the case transition failed")

    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
    ):
        failing_transition()
    assert callbacks == []
    assert not Notification.objects.exists()
    assert mail.outbox == []


def test_same_dedupe_key_is_delivered_once(
    alice: User, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(2):
            notify(
                recipients=[alice, alice],
                code="case.dispatched",
                title="案件已派遣",
                channels=["inbox", "email"],
                dedupe_key="case:7:dispatched",
            )
    assert Notification.objects.count() == 1
    assert len(mail.outbox) == 1


def test_task_running_twice_sends_once(alice: User) -> None:
    first = deliver_notification.call(**_kwargs(alice))
    second = deliver_notification.call(**_kwargs(alice))
    assert first == second == Notification.objects.get().pk
    assert len(mail.outbox) == 1
    assert list(Delivery.objects.values_list("channel", "status", "attempts")) == [
        ("inbox", "sent", 1),
        ("email", "sent", 1),
    ]


def test_without_dedupe_key_each_notify_is_a_new_notification(
    alice: User, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        notify(recipients=[alice], code="c", title="one")
        notify(recipients=[alice], code="c", title="two")
    assert sorted(Notification.objects.values_list("title", flat=True)) == ["one", "two"]


def test_email_goes_to_the_users_address(alice: User, charlie: User) -> None:
    deliver_notification.call(**_kwargs(alice))
    deliver_notification.call(**_kwargs(charlie))  # no e-mail address
    [message] = mail.outbox
    assert message.to == ["alice@example.cn"]
    assert message.subject == "案件已派遣"
    assert "请在时限内处置" in message.body
    assert "/cases/7/" in message.body
    skipped = Delivery.objects.get(notification__recipient=charlie, channel="email")
    assert skipped.status == OutboxStatus.SKIPPED
    assert "no e-mail" in skipped.last_error


def test_sms_through_console_backend(alice: User, capsys: pytest.CaptureFixture[str]) -> None:
    contact_point_set(user=alice, actor=alice, mobile="13812345678")
    deliver_notification.call(**_kwargs(alice, channels=["sms"]))
    out = capsys.readouterr().out
    assert "SMS to 13812345678: 案件已派遣：请在时限内处置" in out
    delivery = Delivery.objects.get(channel="sms")
    assert delivery.status == OutboxStatus.SENT
    notification = Notification.objects.get()
    assert notification.in_inbox is False  # SMS only: not listed in the inbox


@override_settings(CITYOPS_SMS_BACKEND=f"{HERE}.BrokenSms")
def test_failing_sms_backend_is_recorded_and_retried_later(alice: User) -> None:
    contact_point_set(user=alice, actor=alice, mobile="13812345678")
    with time_machine.travel("2026-03-02 09:00 +08:00", tick=False):
        deliver_notification.call(**_kwargs(alice, channels=["inbox", "sms"]))
        sms = Delivery.objects.get(channel="sms")
        assert (sms.status, sms.attempts) == (OutboxStatus.FAILED, 1)
        assert sms.last_error == "ConnectionError: gateway timeout"
        assert Delivery.objects.get(channel="inbox").status == OutboxStatus.SENT
        assert outbox_retry() == 0  # backoff: not yet
    with (
        time_machine.travel("2026-03-02 09:03 +08:00", tick=False),
        override_settings(CITYOPS_SMS_BACKEND=f"{HERE}.RecordingSms"),
    ):
        assert outbox_retry() == 1
        sms.refresh_from_db()
        assert (sms.status, sms.attempts, sms.last_error) == (OutboxStatus.SENT, 2, "")
        assert SENT_SMS == [("13812345678", "案件已派遣：请在时限内处置")]
        assert outbox_retry() == 0


def test_sms_without_mobile_is_skipped(alice: User) -> None:
    deliver_notification.call(**_kwargs(alice, channels=["sms"]))
    assert Delivery.objects.get().status == OutboxStatus.SKIPPED


def test_lazy_text_is_rendered_in_each_recipients_language(
    alice: User, charlie: User, django_capture_on_commit_callbacks: Any
) -> None:
    contact_point_set(user=charlie, actor=charlie, language="en")
    with django_capture_on_commit_callbacks(execute=True):
        notify(
            recipients=[alice, charlie],
            code="c",
            title=gettext_lazy("Notifications"),
            body=gettext_lazy("Mark all as read"),
        )
    assert Notification.objects.get(recipient=alice).title == "通知"
    assert Notification.objects.get(recipient=charlie).title == "Notifications"
    assert Notification.objects.get(recipient=charlie).body == "Mark all as read"


def test_unknown_channel_is_a_programming_error(alice: User) -> None:
    with pytest.raises(ValueError, match="fax"):
        notify(recipients=[alice], code="c", title="t", channels=["fax"])


def test_target_is_recorded(alice: User, django_capture_on_commit_callbacks: Any) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        notify(recipients=[alice], code="c", title="t", target=alice)
    n = Notification.objects.get()
    assert (n.target_type, n.target_id) == ("accounts.user", str(alice.pk))


def test_stale_claim_of_a_dead_worker_is_taken_over(alice: User) -> None:
    with time_machine.travel("2026-03-02 09:00 +08:00", tick=False):
        deliver_notification.call(**_kwargs(alice, channels=["email"]))
        Delivery.objects.update(
            status=OutboxStatus.SENDING, claimed_until=timezone.now() + timedelta(minutes=10)
        )
        mail.outbox.clear()
        assert outbox_retry() == 0  # another worker may still be sending
    with time_machine.travel(timezone.now() + timedelta(minutes=11)):
        assert outbox_retry() == 1
    assert len(mail.outbox) == 1


def test_contact_point_is_audited_without_the_full_number(alice: User) -> None:
    contact_point_set(user=alice, actor=alice, mobile="138 1234 5678", language="en")
    event = AuditEvent.objects.get(code="notification.contact_point.changed")
    assert event.data == {"mobile": "138****5678", "language": "en"}
    assert "12345678" not in str(event.data)
    assert ContactPoint.objects.get(user=alice).mobile == "138 1234 5678"


@override_settings(CITYOPS_SMS_BACKEND=f"{HERE}.BrokenSms")
def test_retry_command(alice: User) -> None:
    from io import StringIO

    from django.core.management import call_command

    contact_point_set(user=alice, actor=alice, mobile="13812345678")
    with time_machine.travel("2026-03-02 09:00 +08:00", tick=False):
        deliver_notification.call(**_kwargs(alice, channels=["sms"]))
    out = StringIO()
    with time_machine.travel("2026-03-02 10:00 +08:00", tick=False):
        call_command("outbox_retry", stdout=out)
    assert "1 delivery attempts" in out.getvalue()
    assert Delivery.objects.get().attempts == 2


@pytest.mark.parametrize("bad", ["call me", "123", "1381234567890123456"])
def test_contact_point_refuses_bad_numbers(alice: User, bad: str) -> None:
    from cityops.core.errors import DomainError

    with pytest.raises(DomainError) as info:
        contact_point_set(user=alice, actor=alice, mobile=bad)
    assert info.value.field == "mobile"
    assert not ContactPoint.objects.exists()
    assert not AuditEvent.objects.exists()


def test_admin_edit_goes_through_the_service(alice: User, client: Any) -> None:
    admin = User.objects.create_superuser(username="root", password="root-pass-123")
    client.force_login(admin)
    response = client.post(
        "/admin/notifications/contactpoint/add/",
        {"user": alice.pk, "mobile": "13912345678", "language": "zh-hans", "sms_enabled": "on"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    contact = ContactPoint.objects.get(user=alice)
    assert contact.mobile == "13912345678"
    assert contact.email_enabled is False
    assert contact.mobile_index
    assert AuditEvent.objects.filter(code="notification.contact_point.changed").count() == 1
