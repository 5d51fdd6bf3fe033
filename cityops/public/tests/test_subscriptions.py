"""Community subscriptions: double opt-in, messages on new (accepted) and closed reports,
signed unsubscribe links, SMS as well as e-mail."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core import mail
from django.urls import reverse

from cityops.cases.services import case_transition
from cityops.notifications.models import PhoneMessage
from cityops.public.models import Subscription

pytestmark = pytest.mark.django_db


def subscribe(client: Any, community: Any, **extra: Any) -> Any:
    data = {"community": community.pk, "channel": "email", "address": "li@example.org",
            "on_new": "on", "on_closed": "on", **extra}  # fmt: skip
    return client.post(reverse("public:subscribe"), data)


def link(text: str, name: str) -> str:
    found = re.search(r"https?://\S+?(/subscribe/" + name + r"/[^/\s]+/)", text)
    assert found, text
    return found.group(1)


def test_double_opt_in_then_new_and_unsubscribe(
    client, small_city, catalogue, report, personas, django_capture_on_commit_callbacks
):
    community = small_city.community_west
    with django_capture_on_commit_callbacks(execute=True):
        assert subscribe(client, community).status_code == 200
    sub = Subscription.objects.get()
    assert sub.confirmed_at is None
    assert len(mail.outbox) == 1
    confirm = link(str(mail.outbox[0].body), "confirm")
    # Not confirmed yet: a new report in the community sends nothing.
    first = report()
    assert first.community_id == community.pk
    with django_capture_on_commit_callbacks(execute=True):
        case_transition(case_id=first.pk, action="accept", actor=personas.intake_clerk)
    assert len(mail.outbox) == 1
    assert client.get(confirm).status_code == 200
    sub.refresh_from_db()
    assert sub.confirmed_at is not None
    second = report()
    with django_capture_on_commit_callbacks(execute=True):
        case_transition(case_id=second.pk, action="accept", actor=personas.intake_clerk)
    assert len(mail.outbox) == 2
    message = mail.outbox[1]
    assert second.number in message.subject
    assert reverse("public:case-detail", args=[second.number]) in message.body
    stop = link(str(message.body), "stop")
    assert client.get(stop).status_code == 200  # asks first
    assert Subscription.objects.exists()
    assert client.post(stop).status_code == 200
    assert not Subscription.objects.exists()
    assert client.post(stop).status_code == 404
    assert client.get(confirm.replace("/confirm/", "/confirm/x")).status_code == 404


def test_sms_subscription_and_validation(
    client, small_city, catalogue, report, personas, django_capture_on_commit_callbacks
):
    community = small_city.community_west
    bad = subscribe(client, community, channel="sms", address="not a phone")
    assert bad.status_code == 400
    neither = subscribe(client, community, on_new="", on_closed="")
    assert neither.status_code == 400
    with django_capture_on_commit_callbacks(execute=True):
        subscribe(client, community, channel="sms", address="13900002222", on_closed="")
    confirm = PhoneMessage.objects.get()
    assert "/subscribe/confirm/" in confirm.text
    assert "13900002222" not in confirm.text
    client.get(link(confirm.text, "confirm"))
    case = report()
    with django_capture_on_commit_callbacks(execute=True):
        case_transition(case_id=case.pk, action="accept", actor=personas.intake_clerk)
    assert PhoneMessage.objects.filter(text__contains=case.number).count() == 1


def test_closed_reports_only(
    client, small_city, catalogue, verified, personas, django_capture_on_commit_callbacks
):
    from cityops.cases.services import case_transition

    with django_capture_on_commit_callbacks(execute=True):
        subscribe(client, small_city.community_west, on_new="")
    client.get(link(str(mail.outbox[0].body), "confirm"))
    with django_capture_on_commit_callbacks(execute=True):
        case = verified()  # accepted on the way: not a "new" subscriber, nothing sent
    assert len(mail.outbox) == 1
    with django_capture_on_commit_callbacks(execute=True):
        case_transition(case_id=case.pk, action="close", actor=personas.shift_lead)
    assert len(mail.outbox) == 2
    assert case.number in mail.outbox[1].subject
