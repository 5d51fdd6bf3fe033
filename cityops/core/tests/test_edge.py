"""The edge rule (cityops/core/text.py) and where it answers: pages in HTML, the REST API in
JSON (Open311: cityops/open311/tests/test_edge.py)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from cityops.api.tokens import api_token_create
from cityops.cases.models import Case
from cityops.cases.testing import WEST
from cityops.core.text import UncleanText, clean_json, clean_text, forbidden_in, xml_safe


@pytest.mark.parametrize("char", ["\x00", "\x01", "\x0b", "\x1f", "\x7f", "\x9f", "\ud800"])
def test_forbidden_characters(char: str) -> None:
    assert forbidden_in(f"a{char}b") == char
    assert forbidden_in(f"a{char}b", multiline=False) == char
    with pytest.raises(UncleanText) as refused:
        clean_text(f"a{char}", field="description")
    assert refused.value.field == "description"


def test_line_breaks_are_body_text_only() -> None:
    assert forbidden_in("路边\t垃圾\r\n一堆 \u202e עברית") is None
    assert forbidden_in("a\nb", multiline=False) == "\n"
    assert clean_text("路\n口") == "路\n口"


def test_clean_json_names_the_path() -> None:
    assert clean_json({"a": ["ok", {"b": 1}]}) == {"a": ["ok", {"b": 1}]}
    with pytest.raises(UncleanText) as refused:
        clean_json({"answers": {"q": ["x", "y\x00"]}})
    assert refused.value.field == "answers.q[1]"
    with pytest.raises(UncleanText) as refused:
        clean_json({"answers": {"k\ud800\x00": 1}})
    # The path quotes the client's key with its refused characters spelt out: encodable.
    assert refused.value.field == "answers.kU+D800U+0000"
    str(refused.value).encode()


def test_xml_safe_keeps_what_xml_allows() -> None:
    assert xml_safe("a\x00b\x01c\x0bd\x1fe\ud800f\ufffeg\t\n\r\x85h") == "abcdefg\t\n\r\x85h"


@pytest.mark.django_db
def test_pages_answer_a_400_page(client: Client, catalogue: Any) -> None:
    for url in ("/public/cases/%00/", "/public/?q=%00", "/track/?code=a%01b"):
        response = client.get(url)
        assert response.status_code == 400, url
        assert response["Content-Type"].startswith("text/html")
        assert "U+00" in response.content.decode()


@pytest.mark.django_db
def test_public_report_with_a_nul_is_refused_before_any_write(
    client: Client, catalogue: Any
) -> None:
    garbage = catalogue["garbage"]
    data = {"category": garbage.pk, "description": "垃圾\x00", "lon": WEST[0], "lat": WEST[1],
            "q_volume_m3": "1", "confirm_new": "on"}  # fmt: skip
    response = client.post(f"/report/?category={garbage.pk}", data)
    assert response.status_code == 400
    assert not Case.objects.exists()
    data["description"] = "垃圾\r\n一堆"
    assert client.post(f"/report/?category={garbage.pk}", data).status_code == 302
    assert Case.objects.get().description == "垃圾\r\n一堆"


@pytest.mark.django_db
def test_rest_api_answers_json(client: Client, catalogue: Any, personas: Any) -> None:
    auth: dict[str, Any] = {
        "HTTP_AUTHORIZATION": f"Token {api_token_create(name='t', user=personas.inspector)[1]}"
    }
    response = client.get("/api/v1/cases/?q=%00", **auth)
    assert response.status_code == 400
    assert "U+0000" in response.json()["detail"]
    body = {"category": "event-0102", "lon": WEST[0], "lat": WEST[1], "description": "垃圾",
            "answers": {"volume_m3": 1}}  # fmt: skip
    for bad in (
        {"description": "垃圾\x00"},
        {"address": "路\ud800"},
        {"answers": {"\x01": 1}},
        {"answers": {"\ud800": 1}},
    ):
        sent = client.post(
            "/api/v1/cases/", json.dumps({**body, **bad}), "application/json", **auth
        )
        assert sent.status_code == 400, sent.content
        assert "U+" in sent.json()["detail"]
    assert not Case.objects.exists()
    sent = client.post("/api/v1/cases/", json.dumps(body), "application/json", **auth)
    assert sent.status_code == 201, sent.content
