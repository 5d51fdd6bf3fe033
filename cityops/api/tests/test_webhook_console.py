"""The operators' webhook page (/console/webhooks/): register, rotate, deactivate, the delivery
log and redeliver; scope (operator B never sees A's), roles, audit."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.test import Client

from cityops.api.models import WebhookDelivery, WebhookEndpoint
from cityops.api.tests.conftest import Receiver
from cityops.api.webhooks import sign, verify, webhook_endpoint_register
from cityops.core.models import AuditEvent, OutboxStatus

pytestmark = pytest.mark.django_db

PAGE = "/console/webhooks/"
QUERY_BOUND = 14  # session, user, memberships, nav tags, endpoints, count, page, cases


@pytest.fixture(autouse=True)
def _loopback_allowed(settings: Any) -> None:
    settings.CITYOPS_WEBHOOK_ALLOW_HTTP_LOOPBACK = True


@pytest.fixture
def as_user(client: Client) -> Callable[[Any], Client]:
    def login(user: Any) -> Client:
        client.force_login(user)
        return client

    return login


def _secret(html: str) -> str:
    match = re.search(r"data-secret>(whsec_[\w-]+)<", html)
    assert match, "no secret on the page"
    return match.group(1)


def test_operator_registers_an_endpoint_and_sees_the_secret_once(
    as_user: Callable[[Any], Client], personas: Any, small_city: Any
) -> None:
    client = as_user(personas.operator_a)
    created = client.post(
        PAGE, {"url": "https://ops.example.com/h", "organisation": small_city.operator_a.pk}
    )
    assert created.status_code == 201
    secret = _secret(created.content.decode())
    assert "no-store" in created["Cache-Control"]
    endpoint = WebhookEndpoint.objects.get()
    assert (endpoint.organisation, endpoint.url, endpoint.secret) == (
        small_city.operator_a, "https://ops.example.com/h", secret,
    )  # fmt: skip
    again = client.get(PAGE).content.decode()
    assert "https://ops.example.com/h" in again
    assert secret not in again  # shown once
    audit = AuditEvent.objects.get(code="webhook.endpoint.registered")
    assert audit.actor == personas.operator_a


def test_an_operator_cannot_register_for_another_unit(
    as_user: Callable[[Any], Client], personas: Any, small_city: Any
) -> None:
    answer = as_user(personas.operator_a).post(
        PAGE, {"url": "https://ops.example.com/h", "organisation": small_city.operator_b.pk}
    )
    assert answer.status_code == 400
    assert not WebhookEndpoint.objects.exists()


@pytest.mark.parametrize(
    ("url", "field_error"),
    [
        ("https://169.254.169.254/latest/", True),
        ("https://intranet.example.com/h", True),
        ("ftp://ops.example.com/", True),
        ("", True),
    ],
)
def test_refused_urls_are_form_errors(
    as_user: Callable[[Any], Client], personas: Any, small_city: Any, settings: Any,
    url: str, field_error: bool,
) -> None:  # fmt: skip
    settings.CITYOPS_WEBHOOK_ALLOW_HTTP_LOOPBACK = False
    answer = as_user(personas.operator_a).post(
        PAGE, {"url": url, "organisation": small_city.operator_a.pk}
    )
    assert answer.status_code == 400
    assert answer.context["form"].errors.get("url")
    assert not WebhookEndpoint.objects.exists()


def test_rotate_gives_a_new_secret_that_signs_deliveries(
    as_user: Callable[[Any], Client], personas: Any, small_city: Any
) -> None:
    endpoint, old = webhook_endpoint_register(
        organisation=small_city.operator_a, url="https://ops.example.com/h"
    )
    answer = as_user(personas.operator_a).post(f"{PAGE}endpoints/{endpoint.pk}/rotate/")
    assert answer.status_code == 200
    new = _secret(answer.content.decode())
    assert new != old
    endpoint.refresh_from_db()
    assert endpoint.secret == new
    assert not verify(old, sign(endpoint.secret, 1000, b"{}"), b"{}", now=1000)
    assert AuditEvent.objects.filter(
        code="webhook.endpoint.secret_rotated", actor=personas.operator_a,
        target_id=str(endpoint.pk),
    ).exists()  # fmt: skip


def test_deactivate_stops_deliveries(
    as_user: Callable[[Any], Client], personas: Any, small_city: Any,
    dispatched: Callable[..., Any], receiver: tuple[Receiver, str],
    django_capture_on_commit_callbacks: Any,
) -> None:  # fmt: skip
    state, url = receiver
    endpoint, _secret = webhook_endpoint_register(organisation=small_city.operator_a, url=url)
    answer = as_user(personas.operator_a).post(f"{PAGE}endpoints/{endpoint.pk}/deactivate/")
    assert answer.status_code == 302
    endpoint.refresh_from_db()
    assert endpoint.active is False
    with django_capture_on_commit_callbacks(execute=True):
        dispatched()
    assert state.received == []
    assert not WebhookDelivery.objects.exists()
    assert AuditEvent.objects.filter(
        code="webhook.endpoint.deactivated", actor=personas.operator_a
    ).exists()


def test_delivery_log_filter_and_redeliver(
    as_user: Callable[[Any], Client], personas: Any, small_city: Any,
    dispatched: Callable[..., Any], receiver: tuple[Receiver, str],
    django_capture_on_commit_callbacks: Any,
) -> None:  # fmt: skip
    state, url = receiver
    state.fail_first = 99  # the receiver always fails: failed, to be retried
    webhook_endpoint_register(organisation=small_city.operator_a, url=url)
    with django_capture_on_commit_callbacks(execute=True):
        case = dispatched()
    (delivery,) = WebhookDelivery.objects.all()
    assert delivery.status == OutboxStatus.FAILED
    client = as_user(personas.operator_a)
    page = client.get(PAGE, {"status": "failed"})
    html = page.content.decode()
    assert page.status_code == 200
    assert f'id="delivery-{delivery.pk}"' in html
    assert case.number in html
    assert f"/console/cases/{case.pk}/" in html
    assert "HTTP 503" in html
    # Asia/Shanghai wall-clock time (UTC+8) of the delivery.
    local = delivery.created_at.astimezone(ZoneInfo("Asia/Shanghai"))
    assert local.strftime("%Y-%m-%d %H:%M:%S") in html
    assert (
        f'id="delivery-{delivery.pk}"' not in client.get(PAGE, {"status": "sent"}).content.decode()
    )
    # htmx swaps only the log.
    partial = client.get(PAGE, {"status": "failed"}, HTTP_HX_REQUEST="true")
    assert partial.content.decode().startswith('<div id="deliveries"')

    state.fail_first = 0
    with django_capture_on_commit_callbacks(execute=True):
        again = client.post(
            f"{PAGE}deliveries/{delivery.pk}/redeliver/", {"status": "failed", "page": "1"}
        )
    assert again.status_code == 302
    assert again["Location"] == f"{PAGE}?status=failed&page=1"
    delivery.refresh_from_db()
    assert delivery.status == OutboxStatus.SENT
    audit = AuditEvent.objects.get(code="webhook.delivery.redelivered")
    assert audit.actor == personas.operator_a
    assert audit.target_id == str(delivery.pk)


def test_operator_b_never_sees_operator_a(
    as_user: Callable[[Any], Client], personas: Any, small_city: Any,
    dispatched: Callable[..., Any], receiver: tuple[Receiver, str],
    django_capture_on_commit_callbacks: Any,
) -> None:  # fmt: skip
    _state, url = receiver
    endpoint, _secret = webhook_endpoint_register(organisation=small_city.operator_a, url=url)
    with django_capture_on_commit_callbacks(execute=True):
        dispatched()
    (delivery,) = WebhookDelivery.objects.all()
    client = as_user(personas.operator_b)
    page = client.get(PAGE).content.decode()
    assert url not in page
    assert f"delivery-{delivery.pk}" not in page
    assert client.post(f"{PAGE}endpoints/{endpoint.pk}/rotate/").status_code == 404
    assert client.post(f"{PAGE}endpoints/{endpoint.pk}/deactivate/").status_code == 404
    assert client.post(f"{PAGE}deliveries/{delivery.pk}/redeliver/").status_code == 404
    endpoint.refresh_from_db()
    assert endpoint.active
    assert not AuditEvent.objects.filter(code__startswith="webhook.", actor=personas.operator_b)


def test_supervisor_and_admin_see_every_operator(
    as_user: Callable[[Any], Client], personas: Any, small_city: Any
) -> None:
    webhook_endpoint_register(organisation=small_city.operator_a, url="https://ops.example.com/a")
    webhook_endpoint_register(organisation=small_city.operator_b, url="https://ops.example.com/b")
    for user in (personas.supervisor, personas.admin):
        html = as_user(user).get(PAGE).content.decode()
        assert "https://ops.example.com/a" in html
        assert "https://ops.example.com/b" in html
    created = as_user(personas.supervisor).post(
        PAGE, {"url": "https://hooks.example.com/b", "organisation": small_city.operator_b.pk}
    )
    assert created.status_code == 201
    assert WebhookEndpoint.objects.filter(organisation=small_city.operator_b).count() == 2


def test_who_may_open_the_page(
    client: Client, as_user: Callable[[Any], Client], personas: Any
) -> None:
    anonymous = client.get(PAGE)
    assert anonymous.status_code == 302
    assert "/accounts/login/" in anonymous["Location"]
    assert client.post(f"{PAGE}deliveries/1/redeliver/").status_code == 302
    for user in (personas.citizen, personas.dispatcher, personas.street_officer):
        assert as_user(user).get(PAGE).status_code == 403
        assert as_user(user).post(PAGE, {"url": "https://ops.example.com/x"}).status_code == 403
    assert not WebhookEndpoint.objects.exists()


def test_nav_link_only_for_users_of_the_page(
    as_user: Callable[[Any], Client], personas: Any
) -> None:
    assert f'href="{PAGE}"' in as_user(personas.operator_a).get("/console/desk/").content.decode()
    dispatcher_home = as_user(personas.dispatcher).get("/console/cases/").content.decode()
    assert f'href="{PAGE}"' not in dispatcher_home


def test_redeliver_needs_post_and_csrf(personas: Any, small_city: Any) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(personas.operator_a)
    endpoint, _secret = webhook_endpoint_register(
        organisation=small_city.operator_a, url="https://ops.example.com/h"
    )
    assert client.get(f"{PAGE}endpoints/{endpoint.pk}/deactivate/").status_code == 405
    assert client.post(f"{PAGE}endpoints/{endpoint.pk}/deactivate/").status_code == 403
    endpoint.refresh_from_db()
    assert endpoint.active


def test_the_page_reads_a_fixed_number_of_queries(
    as_user: Callable[[Any], Client], personas: Any, small_city: Any,
    dispatched: Callable[..., Any], django_assert_max_num_queries: Any,
) -> None:  # fmt: skip
    endpoint, _secret = webhook_endpoint_register(
        organisation=small_city.operator_a, url="https://ops.example.com/h"
    )
    case = dispatched()
    WebhookDelivery.objects.bulk_create(
        WebhookDelivery(
            endpoint=endpoint, event="case.dispatched", payload={"case": {"number": case.number}}
        )
        for _ in range(30)
    )
    client = as_user(personas.operator_a)
    client.get(PAGE)  # warm the session
    with django_assert_max_num_queries(QUERY_BOUND):
        page = client.get(PAGE)
    assert page.content.decode().count('class="delivery ') == 25
    with django_assert_max_num_queries(QUERY_BOUND):
        client.get(PAGE, {"page": "2"})
