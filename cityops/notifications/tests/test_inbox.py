"""Inbox pages: own notifications only (404 otherwise), unread first, mark read via POST."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cityops.accounts.models import User
from cityops.notifications.models import Notification
from cityops.notifications.selectors import inbox, unread_count

pytestmark = pytest.mark.django_db


def _make(user: User, title: str, *, minutes_ago: int = 0, read: bool = False) -> Notification:
    created = timezone.now() - timedelta(minutes=minutes_ago)
    return Notification.objects.create(
        recipient=user,
        code="case.dispatched",
        title=title,
        url="/cases/1/",
        dedupe_key=f"k:{title}",
        created_at=created,
        read_at=created if read else None,
    )


@pytest.fixture
def alice_client(alice: User) -> Client:
    client = Client()
    client.force_login(alice)
    return client


def test_login_required(client: Client) -> None:
    for name in ("notifications:inbox", "notifications:unread-count"):
        response = client.get(reverse(name))
        assert response.status_code == 302
        assert "/accounts/" in response["Location"] or "login" in response["Location"]


def test_inbox_lists_own_notifications_unread_first(
    alice: User, charlie: User, alice_client: Client, django_assert_max_num_queries: Any
) -> None:
    _make(alice, "old-read", minutes_ago=1, read=True)
    _make(alice, "older-unread", minutes_ago=5)
    _make(alice, "new-unread", minutes_ago=2)
    _make(charlie, "charlies-secret")
    assert [n.title for n in inbox(alice)] == ["new-unread", "older-unread", "old-read"]
    with django_assert_max_num_queries(8):
        response = alice_client.get(reverse("notifications:inbox"))
    html = response.content.decode()
    assert response.status_code == 200
    assert html.index("new-unread") < html.index("older-unread") < html.index("old-read")
    assert "charlies-secret" not in html


def test_inbox_is_paginated(alice: User, alice_client: Client) -> None:
    for i in range(25):
        _make(alice, f"n{i:02d}", minutes_ago=i)
    first = alice_client.get(reverse("notifications:inbox")).content.decode()
    second = alice_client.get(reverse("notifications:inbox") + "?page=2").content.decode()
    assert "n00" in first
    assert "n19" in first
    assert "n20" not in first
    assert "n20" in second
    assert "n24" in second
    assert "n00" not in second
    assert alice_client.get(reverse("notifications:inbox") + "?page=x").status_code == 200


def test_mark_one_read(alice: User, alice_client: Client) -> None:
    n = _make(alice, "a")
    _make(alice, "b")
    response = alice_client.post(reverse("notifications:read", args=[n.pk]))
    assert response.status_code == 302
    n.refresh_from_db()
    assert n.read_at is not None
    assert unread_count(alice) == 1


def test_mark_read_needs_post(alice: User, alice_client: Client) -> None:
    n = _make(alice, "a")
    assert alice_client.get(reverse("notifications:read", args=[n.pk])).status_code == 405
    n.refresh_from_db()
    assert n.read_at is None


def test_mark_read_needs_csrf(alice: User) -> None:
    n = _make(alice, "a")
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    assert client.post(reverse("notifications:read", args=[n.pk])).status_code == 403


def test_mark_all_read_only_touches_own(alice: User, charlie: User, alice_client: Client) -> None:
    _make(alice, "a")
    _make(alice, "b")
    _make(charlie, "c")
    alice_client.post(reverse("notifications:read-all"))
    assert unread_count(alice) == 0
    assert unread_count(charlie) == 1


def test_another_users_notification_is_not_found(charlie: User, alice_client: Client) -> None:
    theirs = _make(charlie, "c")
    for name in ("notifications:read", "notifications:open"):
        assert alice_client.post(reverse(name, args=[theirs.pk])).status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_open_marks_read_and_follows_only_local_links(alice: User, alice_client: Client) -> None:
    n = _make(alice, "a")
    response = alice_client.post(reverse("notifications:open", args=[n.pk]))
    assert response["Location"] == "/cases/1/"
    n.refresh_from_db()
    assert n.read_at is not None
    evil = _make(alice, "evil")
    Notification.objects.filter(pk=evil.pk).update(url="https://evil.example/")
    response = alice_client.post(reverse("notifications:open", args=[evil.pk]))
    assert response["Location"] == reverse("notifications:inbox")


def test_next_parameter_cannot_redirect_off_site(alice: User, alice_client: Client) -> None:
    n = _make(alice, "a")
    response = alice_client.post(
        reverse("notifications:read", args=[n.pk]), {"next": "https://evil.example/"}
    )
    assert response["Location"] == reverse("notifications:inbox")


def test_unread_counter_fragment(alice: User, alice_client: Client) -> None:
    _make(alice, "a")
    _make(alice, "b")
    _make(alice, "c", read=True)
    response = alice_client.get(reverse("notifications:unread-count"), HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-unread="2"' in html
    assert "<html" not in html


def test_badge_tag_shows_count_and_polls(alice: User, rf: Any) -> None:
    from django.contrib.auth.models import AnonymousUser
    from django.template import Context, Template

    _make(alice, "a")
    template = Template("{% load notifications %}{% notifications_badge %}")
    request = rf.get("/")
    request.user = alice
    html = template.render(Context({"request": request}))
    assert 'hx-get="/notifications/unread-count/"' in html
    assert 'data-unread="1"' in html
    request.user = AnonymousUser()
    assert template.render(Context({"request": request})).strip() == ""
