"""Property: whatever text a client sends through a report channel (the public form, the Open311
POST, the REST case creation), the platform answers without a 5xx, writes all or nothing, keeps
its XML and JSON answers well-formed and leaves no request stuck in the intake queue.

Generated text mixes NUL and the other control characters, lone surrogates (sent the way a
client can send them: as the UTF-8 bytes of a surrogate in a form, as a ``\\ud800`` escape in
JSON), right-to-left marks and scripts, XML non-characters and 10,000-character runs. Runs on
SQLite and on PostgreSQL (which refuses NUL in text: the reason this matters).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any
from urllib.parse import quote_plus
from xml.etree import ElementTree as ET

import pytest
from django.core.cache import cache
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cityops.api.tokens import api_token_create
from cityops.cases.models import Case, CaseEvent, Status
from cityops.cases.services import case_transition
from cityops.cases.testing import WEST
from cityops.core.models import AuditEvent
from cityops.core.text import forbidden_in
from cityops.open311.intake import intake_drain
from cityops.open311.keys import key_create
from cityops.open311.models import IntakeStatus, Open311Request

pytestmark = pytest.mark.django_db

SPECIAL = ["\x00", "\x01", "\x08", "\x0b", "\x0c", "\x1f", "\x7f", "\x85", "\t", "\n", "\r",
           "\ud800", "\udfff", "\ufffe", "\uffff", "\u202e", "\u200f", "\u061c", "ع", "א",
           "路"]  # fmt: skip
CHARS = st.one_of(st.sampled_from(SPECIAL), st.characters(codec=None, exclude_categories=()))
TEXT = st.one_of(
    st.text(CHARS, max_size=40),
    st.text(CHARS, min_size=1, max_size=8).map(lambda s: (s * (10_000 // len(s) + 1))[:10_000]),
)
PROPERTY = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def utf8(value: str) -> bytes:
    """How a client puts a lone surrogate on the wire: its (invalid) UTF-8 bytes."""
    return value.encode("utf-8", "surrogatepass")


def form_body(data: dict[str, str]) -> str:
    return "&".join(f"{quote_plus(utf8(k))}={quote_plus(utf8(v))}" for k, v in data.items())


def get(client: Client, path: str, params: dict[str, str], **extra: Any) -> Any:
    return client.get(f"{path}?{form_body(params)}", **extra)


def counts() -> tuple[int, int, int, int]:
    return (
        Case.objects.count(),
        CaseEvent.objects.count(),
        Open311Request.objects.count(),
        AuditEvent.objects.count(),
    )


@pytest.fixture
def world(catalogue: Any, personas: Any, settings: Any) -> dict[str, Any]:
    settings.CITYOPS_PUBLIC_REPORTS_PER_HOUR = 1_000_000
    settings.OPEN311_RATE_POST_KEY = ""
    settings.OPEN311_RATE_GET_KEY = ""
    settings.OPEN311_RATE_IP = ""
    return {
        "category": catalogue["garbage"],
        "open311_key": key_create(name="property")[1],
        "api_token": api_token_create(name="property", user=personas.inspector)[1],
        "personas": personas,
    }


def publish(personas: Any) -> None:
    """Verify and accept every new report, so that the Open311 listing shows its text."""
    for case in Case.objects.filter(status=Status.AWAITING_VERIFICATION):
        case_transition(case_id=case.pk, action="confirm_report", actor=personas.inspector)
    for case in Case.objects.filter(status=Status.REPORTED):
        case_transition(case_id=case.pk, action="accept", actor=personas.intake_clerk)


def check(client: Client, send: Callable[[], Any], personas: Any) -> None:
    """The properties, around one submission."""
    cache.clear()  # rate-limit counters
    before = counts()
    response = send()
    assert response.status_code < 500, response.content[:500]
    if response.status_code >= 400:
        assert counts() == before, "a refused request wrote something"
    intake_drain()
    assert not Open311Request.objects.filter(status=IntakeStatus.QUEUED).exists()
    publish(personas)
    # What was accepted is stored clean (NUL never reaches PostgreSQL).
    assert all(forbidden_in(text) is None for text in stored_texts())
    xml = client.get("/open311/v2/requests.xml", {"extensions": "true"})
    assert xml.status_code == 200
    ET.fromstring(xml.content)  # noqa: S314 - our own answer: must be well-formed
    answer = client.get("/open311/v2/requests.json", {"extensions": "true"})
    assert answer.status_code == 200
    json.loads(answer.content.decode("utf-8"))


def stored_texts() -> list[str]:
    texts: list[str] = []
    for case in Case.objects.all():
        texts += [case.description, case.address, case.reporter_name, case.reporter_phone]
    return texts


REPORT_FIELDS = ["description", "address", "reporter_name", "reporter_phone", "q_volume_m3"]


@PROPERTY
@given(values=st.dictionaries(st.sampled_from(REPORT_FIELDS), TEXT, min_size=1, max_size=3))
def test_public_report_form(client: Client, world: dict[str, Any], values: dict[str, str]) -> None:
    category = world["category"]
    data = {"category": str(category.pk), "description": "路边垃圾", "lon": str(WEST[0]),
            "lat": str(WEST[1]), "q_volume_m3": "1", "confirm_new": "on", **values}  # fmt: skip

    def send() -> Any:
        return client.post(
            f"/report/?category={category.pk}",
            form_body(data),
            content_type="application/x-www-form-urlencoded",
        )

    check(client, send, world["personas"])
    query = {"q": values.popitem()[1]}
    check(client, lambda: get(client, "/public/", query), world["personas"])


OPEN311_FIELDS = ["description", "address_string", "first_name", "last_name", "phone", "email",
                  "device_id", "account_id", "media_url", "attribute[volume_m3]", "service_code",
                  "address_id", "jurisdiction_id"]  # fmt: skip


@PROPERTY
@given(values=st.dictionaries(st.sampled_from(OPEN311_FIELDS), TEXT, min_size=1, max_size=3))
def test_open311_post(client: Client, world: dict[str, Any], values: dict[str, str]) -> None:
    data = {"api_key": world["open311_key"], "service_code": "event-0102", "lat": str(WEST[1]),
            "long": str(WEST[0]), "description": "路边垃圾", "attribute[volume_m3]": "1",
            **values}  # fmt: skip

    def send() -> Any:
        return client.post(
            "/open311/v2/requests.json",
            form_body(data),
            content_type="application/x-www-form-urlencoded",
        )

    check(client, send, world["personas"])
    number = next(iter(values.values()))
    check(client, lambda: get(client, "/open311/v2/requests.xml", {"service_request_id": number}),
          world["personas"])  # fmt: skip


API_FIELDS = ["description", "address", "reporter_name", "reporter_phone", "category"]


@PROPERTY
@given(
    values=st.dictionaries(st.sampled_from(API_FIELDS), TEXT, min_size=1, max_size=3),
    answer=st.one_of(st.none(), TEXT),
)
def test_rest_case_creation(
    client: Client, world: dict[str, Any], values: dict[str, str], answer: str | None
) -> None:
    body: dict[str, Any] = {"category": "event-0102", "lon": WEST[0], "lat": WEST[1],
                            "description": "路边垃圾", "answers": {"volume_m3": 1},
                            **values}  # fmt: skip
    if answer is not None:
        body["answers"] = {answer: answer}

    def send() -> Any:
        return client.post(
            "/api/v1/cases/",
            json.dumps(body),  # ensure_ascii: a lone surrogate travels as a \\ud800 escape
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Token {world['api_token']}",
        )

    check(client, send, world["personas"])
    query = {"q": next(iter(values.values()))[:100]}
    listing = get(client, "/api/v1/cases/", query, HTTP_AUTHORIZATION=f"Token {world['api_token']}")
    assert listing.status_code < 500
