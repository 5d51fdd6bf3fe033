"""Open311 at the edge: bad input answers the spec's error document, never a 500 or a
silent change, and every answer stays well-formed whatever is stored."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import pytest
from django.db import connection
from django.test import Client
from django.utils import translation

from cityops.cases.models import Case
from cityops.open311.models import Open311Request
from cityops.open311.tests.conftest import WEST, filed_case
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


# --- Bad input at the edge: the spec's error document, nothing stored ------------------------


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_nul_in_query_or_path_is_a_400_document(client: Client, catalogue: Any, fmt: str) -> None:
    response = client.get(f"/open311/v2/requests.{fmt}", {"service_request_id": "\x00"})
    assert "U+0000" in assert_error(response, 400, fmt)
    assert_error(client.get(f"/open311/v2/requests/a%00b.{fmt}"), 400, fmt)
    assert_error(client.get(f"/open311/v2/services.{fmt}", {"x\x01": "1"}), 400, fmt)


@pytest.mark.parametrize("char", ["\x00", "\x01", "\x0b", "\x1f", "\x7f"])
def test_control_character_in_a_post_is_refused_before_the_queue(
    post: Any, char: str, django_capture_on_commit_callbacks: Any
) -> None:
    response = post(description=f"路边{char}垃圾", **{"attribute[volume_m3]": "1"})
    assert "description" in assert_error(response, 400)
    assert_error(post(first_name=f"张{char}", **{"attribute[volume_m3]": "1"}), 400)
    assert_error(post(**{"attribute[volume_m3]": "1", f"attribute[s{char}]": "x"}), 400)
    assert not Open311Request.objects.exists()
    assert not Case.objects.exists()


def test_line_breaks_and_tabs_in_a_description_are_kept(post: Any) -> None:
    token = js(post(description="路边\t垃圾\r\n一堆", **{"attribute[volume_m3]": "1"}))[0]["token"]
    assert filed_case(token).description == "路边\t垃圾\r\n一堆"


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_wrong_method_is_a_405_document(client: Client, api_key: str, fmt: str) -> None:
    response = client.delete(f"/open311/v2/requests.{fmt}")
    assert_error(response, 405, fmt)
    assert response["Allow"] == "GET, HEAD, POST"
    response = client.post(f"/open311/v2/discovery.{fmt}", {"api_key": api_key})
    assert_error(response, 405, fmt)
    assert response["Allow"] == "GET, HEAD"


def test_unknown_path_is_a_404_document(client: Client, catalogue: Any) -> None:
    assert_error(client.get("/open311/v2/requests"), 404, "xml")
    assert_error(client.get("/open311/v2/requests/"), 404, "xml")
    assert_error(client.get("/open311/v2/nothing.json"), 404, "json")


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_body_over_the_limit_is_a_413_document(
    client: Client, post: Any, fmt: str, settings: Any
) -> None:
    settings.CITYOPS_API_MAX_BODY_BYTES = 256 * 1024
    response = post(fmt, address_string="建国路" + "x" * 300_000, **{"attribute[volume_m3]": "1"})
    assert_error(response, 413, fmt)
    form = {"api_key": "k", "service_code": "event-0102", "description": "x" * 300_000}
    urlencoded = client.post(
        f"/open311/v2/requests.{fmt}", urlencode(form), "application/x-www-form-urlencoded"
    )
    assert_error(urlencoded, 413, fmt)
    assert not Open311Request.objects.exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("address_string", "西拉木伦大街" + "号" * 200),
        ("email", "not-an-address"),
        ("email", "a" * 250 + "@x.cn"),
        ("device_id", "d" * 101),
        ("account_id", "a" * 101),
        ("media_url", "https://x.cn/" + "p" * 500),
    ],
)
def test_over_long_or_invalid_fields_are_refused_never_cut(
    post: Any, field: str, value: str
) -> None:
    response = post(**{field: value, "attribute[volume_m3]": "1"})
    assert assert_error(response, 400).startswith(field), response.content
    assert not Open311Request.objects.exists()
    assert not Case.objects.exists()


def test_idempotency_key_over_100_characters_is_refused(
    client: Client, api_key: str, catalogue: Any
) -> None:
    data = {"api_key": api_key, "service_code": "event-0102", "lat": WEST[1], "long": WEST[0],
            "description": "垃圾", "attribute[volume_m3]": "1"}  # fmt: skip
    response = client.post("/open311/v2/requests.json", data, HTTP_IDEMPOTENCY_KEY="k" * 101)
    assert_error(response, 400)
    assert not Open311Request.objects.exists()


def test_address_of_200_characters_is_kept_whole(post: Any) -> None:
    address = "西拉木伦大街" + "号" * 194
    token = js(post(address_string=address, **{"attribute[volume_m3]": "1"}))[0]["token"]
    assert filed_case(token).address == address


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_answers_are_well_formed_whatever_is_stored(
    client: Client, post: Any, admit: Any, fmt: str
) -> None:
    number = admit(js(post(**{"attribute[volume_m3]": "1"}))[0]["token"])
    # Written before the edge refused such text (PostgreSQL stores all but NUL).
    Case.objects.filter(number=number).update(
        description="a\x01b\x0bc\x1fd\ufffee", address="路\x08口"
    )
    response = client.get(f"/open311/v2/requests.{fmt}", {"extensions": "true"})
    if fmt == "xml":
        row = xml(response).find("request")
        assert row is not None
        assert row.findtext("description") == "abcde"
        assert row.findtext("address") == "路口"
    else:
        assert js(response)[0]["description"] == "a\x01b\x0bc\x1fd\ufffee"


def test_device_and_account_ids_are_encrypted_at_rest(post: Any) -> None:
    sent = post(device_id="dev-123456", account_id="acc-987654", email="z@example.com",
                **{"attribute[volume_m3]": "1"})  # fmt: skip
    token = js(sent)[0]["token"]
    with connection.cursor() as cursor:
        cursor.execute("SELECT device_id, account_id, email FROM open311_open311request")
        stored = " ".join(cursor.fetchone())
    assert "dev-123456" not in stored
    assert "acc-987654" not in stored
    assert "example.com" not in stored
    record = Open311Request.objects.get(token=token)
    assert (record.device_id, record.account_id) == ("dev-123456", "acc-987654")
