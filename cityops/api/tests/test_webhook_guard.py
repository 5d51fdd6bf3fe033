"""The webhook SSRF guard: refused at registration, refused again at delivery (DNS may change),
and the connection goes to the address that was checked."""

from __future__ import annotations

import ipaddress
import socket
import ssl
from collections.abc import Callable
from typing import Any

import pytest
from rest_framework.test import APIClient

from cityops.api.models import WebhookDelivery, WebhookEndpoint
from cityops.api.tests.conftest import PUBLIC_IP, Receiver
from cityops.api.webhook_guard import (
    PinnedConnection,
    Target,
    address_problem,
    webhook_target,
)
from cityops.api.webhooks import webhook_endpoint_register
from cityops.core.errors import DomainError

pytestmark = pytest.mark.django_db


@pytest.fixture
def loopback(settings: Any) -> Any:
    settings.CITYOPS_WEBHOOK_ALLOW_HTTP_LOOPBACK = True
    return settings


@pytest.mark.parametrize(
    "url",
    [
        "https://10.0.0.1/hook",
        "https://169.254.169.254/latest/meta-data/",
        "https://[::1]/hook",
        "http://[::1]/hook",
        "https://127.0.0.1/hook",
        "https://localhost/hook",
        "https://intranet.example.com/hook",  # a public-looking name, a private address
        "https://metadata.example.com/hook",
        "https://mixed.example.com/hook",  # one private address among public ones is enough
        "https://[::ffff:10.0.0.1]/hook",
        "https://224.0.0.1/hook",
        "https://0.0.0.0/hook",
        "https://100.64.0.1/hook",  # carrier-grade NAT (shared address space)
        "https://192.0.2.10/hook",  # documentation range: not global
        "https://[fe80::1]/hook",
        "https://[fc00::1]/hook",
        "https://user:pw@ops.example.com/hook",
        "https://nowhere.invalid/hook",  # unresolvable
    ],
)
def test_registration_refuses_non_public_addresses(
    small_city: Any, settings: Any, url: str
) -> None:
    settings.CITYOPS_WEBHOOK_ALLOW_HTTP_LOOPBACK = False
    with pytest.raises(DomainError) as refused:
        webhook_endpoint_register(organisation=small_city.operator_a, url=url)
    assert refused.value.field == "url"
    assert not WebhookEndpoint.objects.exists()


# (IPv6 address, embedded IPv4 it reaches, refused?) — every wrapper form, inner and public.
EMBEDDED_IPV4 = [
    ("2002:7f00:1::", "127.0.0.1 in 6to4", True),
    ("2002:a00:1::1", "10.0.0.1 in 6to4", True),
    ("2002:a9fe:a9fe::", "169.254.169.254 in 6to4", True),
    ("2002:5db8:d70e::1", "public IPv4 in 6to4", False),
    ("64:ff9b::7f00:1", "127.0.0.1 in NAT64", True),
    ("64:ff9b::a9fe:a9fe", "169.254.169.254 in NAT64", True),
    ("64:ff9b::c0a8:101", "192.168.1.1 in NAT64", True),
    ("64:ff9b:1::a00:1", "NAT64 local-use prefix", True),
    ("64:ff9b:1:7f00:1::", "NAT64 local-use, /48 layout", True),
    # Teredo: server 65.54.227.120, client obfuscated (bits inverted): 127.0.0.1, 10.0.0.1.
    ("2001:0:4136:e378:8000:63bf:80ff:fffe", "127.0.0.1 as Teredo client", True),
    ("2001:0:4136:e378:8000:63bf:f5ff:fffe", "10.0.0.1 as Teredo client", True),
    ("2001:0:a00:1:8000:63bf:a247:28f1", "10.0.0.1 as Teredo server", True),
    ("::ffff:127.0.0.1", "IPv4-mapped loopback", True),
    ("::ffff:10.0.0.1", "IPv4-mapped private", True),
    ("::ffff:a9fe:a9fe", "IPv4-mapped link-local", True),
    ("::ffff:93.184.215.14", "IPv4-mapped public", False),
    ("::127.0.0.1", "IPv4-compatible loopback", True),
    ("::10.0.0.1", "IPv4-compatible private", True),
    ("2606:4700::1111", "plain public IPv6", False),
]


@pytest.mark.parametrize(("address", "why", "refused"), EMBEDDED_IPV4)
def test_embedded_ipv4_is_judged_like_the_ipv4(address: str, why: str, refused: bool) -> None:
    ip = ipaddress.ip_address(address)
    assert bool(address_problem(ip, allow_loopback=False)) is refused, why
    if refused and "mapped loopback" not in why:
        # The development switch admits only plain loopback, never a wrapped one.
        assert address_problem(ip, allow_loopback=True), why


def test_a_6to4_url_that_wraps_loopback_is_refused(small_city: Any, loopback: Any) -> None:
    for url in ("https://[2002:7f00:1::]/", "https://[64:ff9b::7f00:1]/", "https://[::127.0.0.1]/"):
        with pytest.raises(DomainError) as refused:
            webhook_endpoint_register(organisation=small_city.operator_a, url=url)
        assert refused.value.field == "url", url
    assert not WebhookEndpoint.objects.exists()


def test_public_https_is_accepted(small_city: Any, settings: Any) -> None:
    settings.CITYOPS_WEBHOOK_ALLOW_HTTP_LOOPBACK = False
    endpoint, _secret = webhook_endpoint_register(
        organisation=small_city.operator_a, url=f"https://{PUBLIC_IP}:8443/h?x=1"
    )
    assert endpoint.url.endswith("/h?x=1")
    target = webhook_target("https://ops.example.com/h?x=1")
    assert (target.host, target.port, target.path, target.addresses) == (
        "ops.example.com", 443, "/h?x=1", (PUBLIC_IP,),
    )  # fmt: skip


def test_loopback_only_with_the_development_switch(small_city: Any, loopback: Any) -> None:
    assert webhook_target("http://[::1]:9/x").addresses == ("::1",)
    assert webhook_target("https://127.0.0.1/x").addresses == ("127.0.0.1",)
    # Still never a private address, nor plain HTTP to a public one.
    for url in ("https://10.0.0.1/x", "http://ops.example.com/x"):
        with pytest.raises(DomainError):
            webhook_target(url)


def test_rest_registration_names_the_field(
    api: Callable[..., APIClient], personas: Any, small_city: Any, settings: Any
) -> None:
    settings.CITYOPS_WEBHOOK_ALLOW_HTTP_LOOPBACK = False
    client = api(personas.operator_a)
    for url in ("https://169.254.169.254/", "https://intranet.example.com/h", "http://[::1]/"):
        answer = client.post("/api/v1/webhooks/", {"url": url}, format="json")
        assert answer.status_code == 400, url
        assert answer.json()["field"] == "url"
    assert not WebhookEndpoint.objects.exists()


def test_delivery_rechecks_and_records_the_refusal(
    receiver: tuple[Receiver, str],
    small_city: Any, dispatched: Callable[..., Any], loopback: Any,
    fake_dns: dict[str, list[str]], django_capture_on_commit_callbacks: Any,
) -> None:  # fmt: skip
    state, url = receiver
    port = url.split(":")[2].split("/")[0]
    fake_dns["rebind.example.com"] = ["127.0.0.1"]
    webhook_endpoint_register(
        organisation=small_city.operator_a, url=f"http://rebind.example.com:{port}/hook"
    )
    # Between registration and delivery the name starts pointing at the metadata service.
    fake_dns["rebind.example.com"] = ["169.254.169.254"]
    with django_capture_on_commit_callbacks(execute=True):
        dispatched()
    (delivery,) = WebhookDelivery.objects.all()
    assert delivery.status == "dead"  # refused: given up at once
    assert delivery.attempts == 1  # refused: not retried
    assert delivery.next_attempt_at is None
    assert "rebind.example.com" in delivery.last_error
    assert state.received == []


def test_switching_loopback_off_stops_deliveries(
    receiver: tuple[Receiver, str],
    small_city: Any, dispatched: Callable[..., Any], loopback: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:  # fmt: skip
    state, url = receiver
    webhook_endpoint_register(organisation=small_city.operator_a, url=url)
    loopback.CITYOPS_WEBHOOK_ALLOW_HTTP_LOOPBACK = False
    with django_capture_on_commit_callbacks(execute=True):
        dispatched()
    (delivery,) = WebhookDelivery.objects.all()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("dead", 1, None)
    assert delivery.last_error
    assert state.received == []


def test_the_connection_goes_to_the_checked_address(
    receiver: tuple[Receiver, str],
    small_city: Any, dispatched: Callable[..., Any], loopback: Any,
    monkeypatch: pytest.MonkeyPatch, django_capture_on_commit_callbacks: Any,
) -> None:  # fmt: skip
    """DNS rebinding: the name answers loopback once (the check), then an address the
    request must never reach. One lookup per attempt, and the request arrives at the checked
    address with the name in the Host header."""
    state, url = receiver
    port = int(url.split(":")[2].split("/")[0])
    resolver = socket.getaddrinfo  # the test fixture's resolver
    lookups: list[str] = []

    def rebinding(host: Any, *args: Any, **kwargs: Any) -> Any:
        if host == "pinned.example.com":
            lookups.append(host)
            answer = "127.0.0.1" if len(lookups) % 2 == 1 else "10.9.9.9"
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (answer, port))]
        return resolver(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", rebinding)
    webhook_endpoint_register(
        organisation=small_city.operator_a, url=f"http://pinned.example.com:{port}/hook"
    )
    lookups.clear()
    with django_capture_on_commit_callbacks(execute=True):
        dispatched()
    (delivery,) = WebhookDelivery.objects.all()
    assert delivery.status == "sent"
    assert lookups == ["pinned.example.com"]  # checked once, never looked up again
    headers, _body = state.received[0]
    assert headers["host"] == f"pinned.example.com:{port}"


def test_https_uses_the_host_name_for_sni_and_certificate() -> None:
    seen: list[Any] = []

    class Recording(ssl.SSLContext):
        def wrap_socket(self, sock: Any, *args: Any, **kwargs: Any) -> Any:  # type: ignore[override]
            seen.append(kwargs.get("server_hostname"))
            sock.close()
            raise ssl.SSLError("stop here")

    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    target = Target("https", "ops.example.com", server.getsockname()[1], "/", ("127.0.0.1",))
    connection = PinnedConnection(target, timeout=5, context=Recording(ssl.PROTOCOL_TLS_CLIENT))
    try:
        with pytest.raises(ssl.SSLError):
            connection.connect()
    finally:
        server.close()
    assert seen == ["ops.example.com"]


def test_back_office_shows_the_refusal_on_the_field(
    client: Any, personas: Any, small_city: Any, settings: Any
) -> None:
    settings.CITYOPS_WEBHOOK_ALLOW_HTTP_LOOPBACK = False
    personas.admin.is_staff = personas.admin.is_superuser = True
    personas.admin.save()
    client.force_login(personas.admin)
    answer = client.post(
        "/admin/api/webhookendpoint/add/",
        {"organisation": small_city.operator_a.pk, "url": "https://10.0.0.1/h", "active": "on"},
    )
    assert answer.status_code == 200
    assert answer.context["adminform"].form.errors["url"]
    assert not WebhookEndpoint.objects.exists()
