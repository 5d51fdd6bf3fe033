"""Fixtures of the REST API tests: catalogue, cases in both operators' lots, tokens."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import pytest
from rest_framework.test import APIClient

from cityops.api.tokens import api_token_create
from cityops.cases.catalogue_demo import CATALOGUE
from cityops.cases.models import Case, Category
from cityops.cases.services import case_report, case_transition
from cityops.cases.services.catalogue import catalogue_load
from cityops.cases.services.payloads import File

WEST = (122.255, 43.615)  # operator A's lot
EAST = (122.265, 43.625)  # operator B's lot


@pytest.fixture
def catalogue(small_city: Any) -> dict[str, Category]:
    catalogue_load(data=CATALOGUE)
    return {
        "garbage": Category.objects.get(kind="event", code="0102"),
        "collapse": Category.objects.get(kind="event", code="0402"),
        "ponding": Category.objects.get(kind="event", code="0401"),
    }


@pytest.fixture
def dispatched(catalogue: dict[str, Category], personas: Any) -> Callable[..., Case]:
    def make(point: tuple[float, float] = WEST, **kwargs: Any) -> Case:
        case = case_report(
            source="inspector", category=catalogue["garbage"], lon=point[0], lat=point[1],
            address="西拉木伦大街100号", description="路边暴露垃圾一堆",
            reporter_name="王小明", reporter_phone="13900139000", actor=personas.inspector,
            **kwargs,
        )  # fmt: skip
        case_transition(case_id=case.pk, action="accept", actor=personas.intake_clerk)
        case_transition(
            case_id=case.pk,
            action="file",
            actor=personas.shift_lead,
            payload=File(condition_met=True),
        )
        return case_transition(case_id=case.pk, action="dispatch", actor=personas.dispatcher)

    return make


@pytest.fixture
def api() -> Callable[..., APIClient]:
    def as_user(user: Any = None, *, token: bool = True) -> APIClient:
        client = APIClient()
        if user is not None:
            if token:
                secret = api_token_create(name=f"{user.username} system", user=user)[1]
                client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
            else:
                client.force_login(user)
        return client

    return as_user


@pytest.fixture(autouse=True)
def _fresh_throttle_counters() -> None:
    """Rate-limit counters live in the cache, keyed by IP: without this, a long run of tests
    from 127.0.0.1 reaches CITYOPS_API_RATE_IP and later tests get 429s."""
    from django.core.cache import cache

    cache.clear()


# Names the tests use, and what they resolve to. The sandbox may have no DNS: the resolver is
# the standard library's boundary, so it is replaced (IP literals and localhost resolve as usual).
PUBLIC_IP = "93.184.215.14"
FAKE_DNS: dict[str, list[str]] = {
    "ops.example.com": [PUBLIC_IP],
    "hooks.example.com": [PUBLIC_IP],
    "intranet.example.com": ["10.20.30.40"],
    "mixed.example.com": [PUBLIC_IP, "192.168.1.10"],
    "metadata.example.com": ["169.254.169.254"],
}


@pytest.fixture(autouse=True)
def fake_dns(monkeypatch: pytest.MonkeyPatch) -> dict[str, list[str]]:
    import ipaddress
    import socket

    real = socket.getaddrinfo
    table = dict(FAKE_DNS)

    def getaddrinfo(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        name = host.decode() if isinstance(host, bytes) else str(host)
        if name in table:
            out = []
            for address in table[name]:
                family = socket.AF_INET6 if ":" in address else socket.AF_INET
                sockaddr: Any = (address, int(port or 0))
                if family == socket.AF_INET6:
                    sockaddr = (address, int(port or 0), 0, 0)
                out.append((family, socket.SOCK_STREAM, 6, "", sockaddr))
            return out
        try:
            ipaddress.ip_address(name.strip("[]"))
        except ValueError:
            if name != "localhost":
                raise socket.gaierror(socket.EAI_NONAME, "Name or service not known") from None
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return table


class Receiver:
    def __init__(self, fail_first: int = 0) -> None:
        self.fail_first = fail_first
        self.redirect_to = ""
        self.received: list[tuple[dict[str, str], bytes]] = []


@pytest.fixture
def receiver() -> Iterator[tuple[Receiver, str]]:
    state = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            state.received.append(({k.lower(): v for k, v in self.headers.items()}, body))
            if state.redirect_to and self.path != "/elsewhere":
                self.send_response(307)
                self.send_header("Location", state.redirect_to)
                self.end_headers()
                return
            ok = len(state.received) > state.fail_first
            self.send_response(200 if ok else 503)
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            return None

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state, f"http://127.0.0.1:{server.server_port}/hook"
    server.shutdown()
