"""Open311 at the edge: bad input answers the spec's error document, never a 500 or a
silent change, and every answer stays well-formed whatever is stored."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.utils import translation

from cityops.open311.tests.conftest import filed_case
from cityops.open311.tests.test_contract import assert_error, js, xml

pytestmark = pytest.mark.django_db


def test_listing_by_id_with_extensions(client: Client, post: Any, admit: Any) -> None:
    number = admit(js(post(**{"attribute[volume_m3]": "1"}))[0]["token"])
    params = {"service_request_id": number, "extensions": "true"}
    row = js(client.get("/open311/v2/requests.json", params))[0]
    assert row["service_request_id"] == number
    assert row["extended_attributes"]["grid"]
    assert [n["status"] for n in row["notes"]] == ["open", "open", "open"]
    root = xml(client.get("/open311/v2/requests.xml", params))
    assert root.findtext("request/extended_attributes/grid")


def test_note_labels_are_translated(client: Client, post: Any, admit: Any) -> None:
    number = admit(js(post(**{"attribute[volume_m3]": "1"}))[0]["token"])
    url = f"/open311/v2/requests/{number}.json"
    with translation.override("zh-hans"):
        notes = js(client.get(url, {"extensions": "true"}, HTTP_ACCEPT_LANGUAGE="zh-hans"))
    first = notes[0]["notes"][0]["description"]
    assert first == "上报 → 待核实", first
    assert not any("a" <= ch.lower() <= "z" for n in notes[0]["notes"] for ch in n["description"])
    assert filed_case(js(post(**{"attribute[volume_m3]": "2"}))[0]["token"])
