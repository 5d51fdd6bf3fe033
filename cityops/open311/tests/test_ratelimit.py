"""Open311 rate limits: 429 with the spec's error document and Retry-After, per key and per IP."""

from __future__ import annotations

import json
from typing import Any
from xml.etree import ElementTree as ET

import pytest
import time_machine
from django.core.exceptions import ImproperlyConfigured
from django.test import Client

from cityops.open311.keys import key_create
from cityops.open311.ratelimit import Rate, parse_rate

pytestmark = pytest.mark.django_db

# A moment at the start of a minute: every window below starts here.
T0 = 1_800_000_000 - 1_800_000_000 % 60


@pytest.fixture
def limits(settings: Any) -> Any:
    settings.OPEN311_RATE_POST_KEY = "2/min"
    settings.OPEN311_RATE_GET_KEY = "3/min"
    settings.OPEN311_RATE_IP = "2/min"
    return settings


def test_posts_over_the_key_limit_get_429_in_json(limits: Any, post: Any) -> None:
    with time_machine.travel(T0 + 10, tick=False):
        assert post("json").status_code == 200
        assert post("json").status_code == 200
        over = post("json")
    assert over.status_code == 429
    assert over["Content-Type"] == "application/json; charset=utf-8"
    assert over["Retry-After"] == "50"  # the rest of the minute
    (error,) = json.loads(over.content)
    assert error["code"] == 429
    assert error["description"]


def test_429_in_xml(limits: Any, post: Any) -> None:
    with time_machine.travel(T0, tick=False):
        post("xml"), post("xml")
        over = post("xml")
    assert over.status_code == 429
    assert over["Content-Type"] == "text/xml; charset=utf-8"
    assert over["Retry-After"] == "60"
    root = ET.fromstring(over.content)  # noqa: S314 - our own test response
    assert root.tag == "errors"
    assert root.findtext("error/code") == "429"
    assert root.findtext("error/description")


def test_another_key_is_unaffected(limits: Any, post: Any) -> None:
    other = key_create(name="other app")[1]
    with time_machine.travel(T0, tick=False):
        post(), post()
        assert post().status_code == 429
        assert post(api_key=other).status_code == 200


def test_the_limit_resets_with_the_next_window(limits: Any, post: Any) -> None:
    with time_machine.travel(T0 + 59, tick=False):
        post(), post()
        assert post().status_code == 429
    with time_machine.travel(T0 + 60, tick=False):
        assert post().status_code == 200


def test_keyless_gets_are_limited_per_ip(limits: Any, client: Client, catalogue: Any) -> None:
    with time_machine.travel(T0, tick=False):
        assert client.get("/open311/v2/services.json").status_code == 200
        assert client.get("/open311/v2/services.xml").status_code == 200
        over = client.get("/open311/v2/services.json")
        assert over.status_code == 429
        assert int(over["Retry-After"]) == 60
        # Another address is a different caller.
        assert client.get("/open311/v2/services.json", REMOTE_ADDR="10.1.1.1").status_code == 200


def test_a_keyed_get_counts_against_the_key_not_the_ip(
    limits: Any, client: Client, api_key: str, catalogue: Any
) -> None:
    with time_machine.travel(T0, tick=False):
        for _ in range(2):
            assert client.get("/open311/v2/services.json").status_code == 200
        assert client.get("/open311/v2/services.json").status_code == 429  # IP spent
        for _ in range(3):
            keyed = client.get("/open311/v2/services.json", {"api_key": api_key})
            assert keyed.status_code == 200
        assert client.get("/open311/v2/services.json", {"api_key": api_key}).status_code == 429


def test_wrong_keys_count_against_the_ip(limits: Any, post: Any) -> None:
    """Guessing keys is rate limited: a wrong key is no key."""
    with time_machine.travel(T0, tick=False):
        assert post(api_key="guess1").status_code == 403
        assert post(api_key="guess2").status_code == 403
        assert post(api_key="guess3").status_code == 429


def test_an_empty_rate_is_no_limit(limits: Any, post: Any) -> None:
    limits.OPEN311_RATE_POST_KEY = ""
    with time_machine.travel(T0, tick=False):
        assert all(post().status_code == 200 for _ in range(4))


def test_rates_parse_or_fail_loudly() -> None:
    assert parse_rate("60/min", "X") == Rate(60, 60)
    assert parse_rate("5/sec", "X") == Rate(5, 1)
    assert parse_rate(" ", "X") is None
    for bad in ("60", "x/min", "60/week", "-1/min"):
        with pytest.raises(ImproperlyConfigured):
            parse_rate(bad, "X")
