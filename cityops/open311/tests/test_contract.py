"""Contract tests: every GeoReport v2 resource in XML and JSON, with its error cases."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any
from xml.etree import ElementTree as ET

import pytest
from django.test import Client
from django.utils import timezone

from cityops.cases.models import Case, CasePhoto
from cityops.cases.services.payloads import File, Handle, Reject, Rework
from cityops.console.tests.conftest import jpeg
from cityops.open311.keys import key_create, key_revoke
from cityops.open311.models import Open311Request
from cityops.open311.tests.conftest import WEST, filed_case, jpeg_with_exif

pytestmark = pytest.mark.django_db


def xml(response: Any) -> ET.Element:
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    assert response.content.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
    return ET.fromstring(response.content)  # noqa: S314 - our own test response


def js(response: Any) -> Any:
    assert response["Content-Type"] == "application/json; charset=utf-8"
    return json.loads(response.content)


def assert_error(response: Any, status: int, fmt: str = "json") -> str:
    assert response.status_code == status
    if fmt == "json":
        body = js(response)
        assert isinstance(body, list)
        assert body
        assert body[0]["code"] == status
        return str(body[0]["description"])
    root = xml(response)
    assert root.tag == "errors"
    assert root.findtext("error/code") == str(status)
    return root.find("error/description").text or ""  # type: ignore[union-attr]


def test_discovery_both_formats(client: Client, catalogue: Any) -> None:
    body = js(client.get("/open311/v2/discovery.json"))
    assert {"changeset", "contact", "key_service", "endpoints"} <= set(body)
    endpoint = body["endpoints"][0]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["formats"] == ["text/xml", "application/json"]
    assert endpoint["url"].endswith("/open311/v2")
    root = xml(client.get("/open311/v2/discovery.xml"))
    assert [f.text for f in root.findall("endpoints/endpoint/formats/format")] == [
        "text/xml",
        "application/json",
    ]
    assert root.find("changeset").text.endswith("+08:00")  # type: ignore[union-attr]


def test_services_list(client: Client, catalogue: Any) -> None:
    body = js(client.get("/open311/v2/services.json"))
    assert isinstance(body, list)
    by_code = {s["service_code"]: s for s in body}
    garbage = by_code["event-0102"]
    assert garbage["type"] == "batch"  # the POST answers a token
    assert garbage["group"] == "市容环境"
    assert garbage["metadata"] is True  # volume question
    assert by_code["event-0401"]["metadata"] is False
    root = xml(client.get("/open311/v2/services.xml"))
    codes = [s.find("service_code").text for s in root.findall("service")]  # type: ignore[union-attr]
    assert "event-0102" in codes
    assert "component-0102" in codes
    assert root.findtext("service/metadata") in ("true", "false")


def test_service_definition_all_datatypes(client: Client, catalogue: Any) -> None:
    body = js(client.get("/open311/v2/services/event-0199.json"))
    assert body["service_code"] == "event-0199"
    attrs = body["attributes"]
    assert [a["datatype"] for a in attrs] == [
        "string", "number", "datetime", "text", "singlevaluelist", "multivaluelist"
    ]  # fmt: skip
    assert [a["order"] for a in attrs] == [1, 2, 3, 4, 5, 6]
    assert attrs[1]["required"] is True
    assert attrs[0]["variable"] is True
    assert attrs[4]["values"] == [{"key": "a", "name": "甲"}, {"key": "b", "name": "乙"}]
    assert all(a["datatype_description"] and a["description"] for a in attrs)
    root = xml(client.get("/open311/v2/services/event-0199.xml"))
    assert root.tag == "service_definition"
    values = root.findall("attributes/attribute/values/value")
    assert [(v.find("key").text, v.find("name").text) for v in values][:2] == [  # type: ignore[union-attr]
        ("a", "甲"),
        ("b", "乙"),
    ]


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_unknown_service_is_404(client: Client, catalogue: Any, fmt: str) -> None:
    assert_error(client.get(f"/open311/v2/services/event-9999.{fmt}"), 404, fmt)


def test_unknown_format_is_400(client: Client, catalogue: Any) -> None:
    assert_error(client.get("/open311/v2/services.html"), 400, "xml")


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_jurisdiction(client: Client, catalogue: Any, fmt: str) -> None:
    ok = client.get(f"/open311/v2/services.{fmt}", {"jurisdiction_id": "tongliao.gov.cn"})
    assert ok.status_code == 200
    assert client.get(f"/open311/v2/services.{fmt}", {"jurisdiction_id": ""}).status_code == 200
    assert_error(
        client.get(f"/open311/v2/services.{fmt}", {"jurisdiction_id": "sfgov.org"}), 404, fmt
    )


# --- POST ------------------------------------------------------------------------------------


def test_post_json_creates_a_routed_public_case(post: Any) -> None:
    contact = {"first_name": "三", "last_name": "张", "phone": "13800138000"}
    response = post(email="z@example.com", device_id="dev-1", account_id="acc-9",
                    **contact, **{"attribute[volume_m3]": "2"})  # fmt: skip
    assert response.status_code == 200, response.content
    body = js(response)
    assert isinstance(body, list)
    assert list(body[0]) == ["service_request_id", "token", "service_notice", "account_id"]
    assert body[0]["service_notice"]  # published once verified
    assert body[0]["account_id"] == "acc-9"
    case = filed_case(body[0]["token"])
    assert case.number == body[0]["service_request_id"]  # the number the POST reserved
    assert case.status == "awaiting_verification"
    assert case.source == "public"
    assert case.answers == {"volume_m3": 2}
    assert case.reporter_name == "张三"
    assert case.reporter_phone == "13800138000"
    assert case.routed_org is not None
    assert case.client.startswith("open311:")
    assert case.open311.email == "z@example.com"


def test_post_xml(post: Any) -> None:
    root = xml(post("xml", **{"attribute[volume_m3]": "1"}))
    assert root.tag == "service_requests"
    token = root.findtext("request/token")
    assert token
    number = root.findtext("request/service_request_id")
    assert Open311Request.objects.filter(token=token, number=number).exists()


@pytest.mark.parametrize("fmt", ["json", "xml"])
@pytest.mark.parametrize("key", [None, "", "wrong"])
def test_post_without_valid_key_is_403(post: Any, fmt: str, key: str | None) -> None:
    assert "api_key" in assert_error(post(fmt, api_key=key), 403, fmt)
    assert not Case.objects.exists()


def test_revoked_key_is_403(post: Any, db: None) -> None:
    key, secret = key_create(name="old")
    key_revoke(key_id=key.pk)
    assert_error(post(api_key=secret), 403)


@pytest.mark.parametrize(
    ("data", "status", "needle"),
    [
        ({"service_code": ""}, 400, "service_code"),
        ({"service_code": "event-9999"}, 404, "service_code"),
        ({"lat": "43.6"}, 400, "lat"),
        ({"lat": "abc"}, 400, "lat"),
        ({"lat": None, "long": None}, 400, "address_string"),
        ({"lat": "10", "long": "10"}, 400, "lat/long"),
        ({"phone": "call me"}, 400, "phone"),
        ({"description": "x" * 4001}, 400, "description"),
        ({"media_url": "javascript:alert(1)"}, 400, "media_url"),
        ({"attribute[nope]": "1"}, 400, "attribute[nope]"),
        ({"jurisdiction_id": "sfgov.org"}, 404, "jurisdiction_id"),
    ],
)
def test_post_errors_name_the_field(
    post: Any, data: dict[str, Any], status: int, needle: str
) -> None:
    description = assert_error(post(**data), status)
    assert needle in description
    assert not Case.objects.exists()


def test_post_attributes_all_datatypes(post: Any) -> None:
    ok = post(service_code="event-0199", **{
        "attribute[s]": "短", "attribute[n]": "3.5", "attribute[d]": "2026-11-01T08:00:00+08:00",
        "attribute[t]": "第一行\n第二行", "attribute[one]": "b",
        "attribute[many][]": ["x", "y"],
    })  # fmt: skip
    assert ok.status_code == 200, ok.content
    case = Case.objects.get()
    assert case.answers["many"] == ["x", "y"]
    assert case.answers["n"] == 3.5
    missing = post(service_code="event-0199", **{"attribute[n]": "1", "attribute[one]": ""})
    assert "attribute[one]" in assert_error(missing, 400)
    bad = post(service_code="event-0199", **{"attribute[n]": "many", "attribute[one]": "a"})
    assert "attribute[n]" in assert_error(bad, 400)


def test_location_by_address_string_and_id(post: Any, small_city: Any) -> None:
    by_road = post(lat=None, long=None, address_string="科尔沁区西拉木伦大街近路口")
    assert by_road.status_code == 200, by_road.content
    by_asset = post(lat=None, long=None, address_id=small_city.component.code,
                    service_code="component-0102")  # fmt: skip
    assert by_asset.status_code == 200, by_asset.content
    case = filed_case(js(by_asset)[0]["token"])
    assert case.component_id == small_city.component.pk
    unknown = post(lat=None, long=None, address_string="不存在的地方")
    assert "address_string" in assert_error(unknown, 400)


def test_retry_is_idempotent_by_device_and_header(post: Any) -> None:
    extra = {"device_id": "phone-1", "attribute[volume_m3]": "1"}
    first = js(post(**extra))[0]["token"]
    assert js(post(**extra))[0]["token"] == first
    other = js(post(**{**extra, "description": "另一堆"}))[0]["token"]
    assert other != first
    assert Case.objects.count() == 2
    assert Open311Request.objects.count() == 2


def test_idempotency_key_header(client: Client, api_key: str, catalogue: Any) -> None:
    data = {"api_key": api_key, "service_code": "event-0401", "lat": WEST[1], "long": WEST[0]}
    ids = {
        js(client.post("/open311/v2/requests.json", data, HTTP_IDEMPOTENCY_KEY="k-1"))[0]["token"]
        for _ in range(2)
    }
    assert len(ids) == 1
    assert Case.objects.count() == 1
    assert Case.objects.get().description == "路面积水"  # optional description: the service name


def test_multipart_media_is_stored_and_only_the_public_copy_is_shown(
    post: Any, client: Client, admit: Any
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    photo = SimpleUploadedFile("p.jpg", jpeg_with_exif(), content_type="image/jpeg")
    number = admit(js(post(media=photo, **{"attribute[volume_m3]": "1"}))[0]["token"])
    stored = CasePhoto.objects.get()
    url = js(client.get(f"/open311/v2/requests/{number}.json"))[0]["media_url"]
    assert url.startswith("http://testserver/")
    assert url.endswith(stored.public.url)
    assert b"SecretCam" not in stored.public.read()
    assert b"SecretCam" in stored.original.read()
    bad = post(media=SimpleUploadedFile("x.jpg", b"not an image"), description="坏图")
    assert "media" in assert_error(bad, 400)


# --- GET requests ---------------------------------------------------------------------------


@pytest.fixture
def three(post: Any, admit: Any) -> list[str]:
    """Three requests the command centre has verified and accepted (service requests)."""
    return [
        admit(js(post(description=f"第{i}处", **{"attribute[volume_m3]": "1"}))[0]["token"])
        for i in range(3)
    ]


PRIVATE = ("张", "13800138000", "z@example.com", "dev-1", "acc-9")


def test_get_requests_json_and_xml_without_personal_data(
    post: Any, client: Client, admit: Any
) -> None:
    sent = post(first_name="三", last_name="张", phone="13800138000", email="z@example.com",
                device_id="dev-1", account_id="acc-9", **{"attribute[volume_m3]": "2"})  # fmt: skip
    admit(js(sent)[0]["token"])
    for suffix in ("json", "xml"):
        for url in ("/open311/v2/requests.", f"/open311/v2/requests/{Case.objects.get().number}."):
            text = client.get(url + suffix, {"extensions": "true"}).content.decode()
            assert not any(p in text for p in PRIVATE), (url, text)
    row = js(client.get("/open311/v2/requests.json"))[0]
    assert row["status"] == "open"
    assert row["service_code"] == "event-0102"
    assert row["agency_responsible"]
    assert row["requested_datetime"].endswith("+08:00")
    assert row["lat"] == pytest.approx(WEST[1])
    assert row["long"] == pytest.approx(WEST[0])
    root = xml(client.get("/open311/v2/requests.xml"))
    assert root.tag == "service_requests"
    assert root.findtext("request/status") == "open"


def test_get_requests_filters(client: Client, three: list[str], catalogue: Any) -> None:
    def get(**p: str) -> list[str]:
        return [r["service_request_id"] for r in js(client.get("/open311/v2/requests.json", p))]

    assert sorted(get()) == sorted(three)
    assert get(service_request_id=f"{three[0]},{three[1]}", status="closed") != []  # overrides
    assert get(status="closed") == []
    assert len(get(status="open,closed")) == 3
    assert get(service_code="event-0401") == []
    assert len(get(service_code="event-0401,event-0102")) == 3
    assert len(get(status="", service_code="")) == 3  # empty = absent
    assert len(get(page_size="2")) == 2
    assert len(get(page_size="2", page="2")) == 1
    old = (timezone.now() - dt.timedelta(days=200)).isoformat()
    assert get(start_date=old) == []
    assert len(get(updated_after=(timezone.now() - dt.timedelta(hours=1)).isoformat())) == 3
    assert get(updated_before=(timezone.now() - dt.timedelta(hours=1)).isoformat()) == []


@pytest.mark.parametrize(
    "params",
    [
        {"status": "pending"},
        {"start_date": "2026-01-01"},  # no time zone
        {"start_date": "yesterday"},
        {"start_date": "2026-01-01T00:00:00Z", "end_date": "2026-06-01T00:00:00Z"},  # > 90 days
        {"start_date": "2026-02-01T00:00:00Z", "end_date": "2026-01-01T00:00:00Z"},
        {"page_size": "5000"},
        {"page": "0"},
    ],
)
@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_get_requests_bad_parameters(
    client: Client, catalogue: Any, params: dict[str, str], fmt: str
) -> None:
    assert_error(client.get(f"/open311/v2/requests.{fmt}", params), 400, fmt)


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_get_one_request(client: Client, three: list[str], fmt: str) -> None:
    response = client.get(f"/open311/v2/requests/{three[0]}.{fmt}")
    if fmt == "json":
        body = js(response)
        assert isinstance(body, list)
        assert body[0]["service_request_id"] == three[0]
    else:
        assert xml(response).find("request/service_request_id").text == three[0]  # type: ignore[union-attr]
    assert_error(client.get(f"/open311/v2/requests/000.{fmt}"), 404, fmt)


def test_extensions_notes_and_attributes(
    client: Client, three: list[str], personas: Any, post: Any
) -> None:
    from cityops.cases.services import case_transition

    token = js(post(description="第四处", **{"attribute[volume_m3]": "1"}))[0]["token"]
    case = filed_case(token)
    case_transition(
        case_id=case.pk,
        action="reject",
        actor=personas.intake_clerk,
        payload=Reject(reason="重复上报"),
    )
    # A rejected report is decided: the client learns its number from the token, but the
    # report itself never became public (cases.query.public_visible), so it is not listed.
    assert js(client.get(f"/open311/v2/tokens/{token}.json"))[0]["service_request_id"] == (
        case.number
    )
    assert client.get(f"/open311/v2/requests/{case.number}.json").status_code == 404
    assert case.number not in client.get("/open311/v2/requests.json").content.decode()
    plain = js(client.get(f"/open311/v2/requests/{three[1]}.json"))[0]
    assert "notes" not in plain
    assert "extended_attributes" not in plain
    root = xml(client.get(f"/open311/v2/requests/{three[0]}.xml", {"extensions": "true"}))
    assert len(root.findall("request/notes/note")) == 3
    accepted = js(client.get(f"/open311/v2/requests/{three[0]}.json", {"extensions": "true"}))
    assert [n["status"] for n in accepted[0]["notes"]] == ["open", "open", "open"]
    assert accepted[0]["extended_attributes"]["channel"] == "public"
    assert accepted[0]["extended_attributes"]["grid"]


def test_expected_datetime_is_the_deadline(client: Client, three: list[str], personas: Any) -> None:
    from cityops.cases.services import case_transition

    case = Case.objects.get(number=three[0])
    case_transition(
        case_id=case.pk, action="file", actor=personas.shift_lead, payload=File(condition_met=True)
    )
    case = case_transition(case_id=case.pk, action="dispatch", actor=personas.dispatcher)
    row = js(client.get(f"/open311/v2/requests/{three[0]}.json"))[0]
    assert (
        row["expected_datetime"]
        == timezone.localtime(case.deadline_at).replace(microsecond=0).isoformat()
    )
    assert row["agency_responsible"] == case.assignee.name  # type: ignore[union-attr]


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_tokens(client: Client, three: list[str], fmt: str) -> None:
    token = Case.objects.get(number=three[0]).open311.token
    response = client.get(f"/open311/v2/tokens/{token}.{fmt}")
    if fmt == "json":
        assert js(response) == [{"service_request_id": three[0], "token": token}]
    else:
        root = xml(response)
        assert root.findtext("request/token") == token
        assert root.findtext("request/service_request_id") == three[0]
    assert_error(client.get(f"/open311/v2/tokens/nope.{fmt}"), 404, fmt)


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_post_answers_the_service_request_id_at_once(
    client: Client, post: Any, admit: Any, fmt: str
) -> None:
    sent = post(fmt, device_id="phone-9", **{"attribute[volume_m3]": "1"})
    if fmt == "json":
        token, number = js(sent)[0]["token"], js(sent)[0]["service_request_id"]
    else:
        token = xml(sent).findtext("request/token")
        number = xml(sent).findtext("request/service_request_id")
    assert token
    assert number
    assert filed_case(token).number == number  # filed under the number the POST answered
    found = client.get(f"/open311/v2/tokens/{token}.{fmt}")
    if fmt == "json":
        assert js(found) == [{"service_request_id": number, "token": token}]
        assert js(client.get("/open311/v2/requests.json")) == []  # not public: not listed
    else:
        assert xml(found).findtext("request/service_request_id") == number
        assert xml(found).findtext("request/token") == token
        assert xml(client.get("/open311/v2/requests.xml")).findall("request") == []
    # Awaiting verification: its own number answers a minimal record (no description, place
    # or media), as a client that POSTs and then GETs the request back expects.
    minimal = client.get(f"/open311/v2/requests/{number}.{fmt}")
    assert minimal.status_code == 200, minimal.content
    assert "路边暴露垃圾一堆" not in minimal.content.decode()
    if fmt == "json":
        row = js(minimal)[0]
        assert row["service_request_id"] == number
        assert row["status"] == "open"
        assert row["service_code"] == "event-0102"
        assert row["service_name"]
        assert row["requested_datetime"]
        assert (row["description"], row["address"], row["media_url"]) == ("", "", "")
        assert (row["lat"], row["long"]) == (None, None)
    else:
        assert xml(minimal).findtext("request/service_request_id") == number
        assert xml(minimal).findtext("request/status") == "open"
        assert xml(minimal).findtext("request/service_code") == "event-0102"
        assert xml(minimal).findtext("request/lat") == ""

    assert admit(token) == number
    full = client.get(f"/open311/v2/requests/{number}.{fmt}")
    assert "路边暴露垃圾一堆" in full.content.decode()
    # The same device retrying its POST learns the same request, now public.
    again = post(fmt, device_id="phone-9", **{"attribute[volume_m3]": "1"})
    if fmt == "json":
        assert js(again) == [{"service_request_id": number, "token": token, "service_notice": ""}]
    else:
        assert xml(again).findtext("request/service_request_id") == number
        assert xml(again).findtext("request/token") == token


def test_get_requests_query_count(
    client: Client, three: list[str], post: Any, admit: Any, django_assert_num_queries: Any
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    def counts() -> tuple[int, int]:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        found = []
        for params in ({"status": "open"}, {"extensions": "true"}):
            with CaptureQueriesContext(connection) as queries:
                assert client.get("/open311/v2/requests.json", params).status_code == 200
            found.append(len(queries))
        return found[0], found[1]

    # The plain list is one query (first photo by subquery); extensions add photos + events.
    with django_assert_num_queries(1):
        client.get("/open311/v2/requests.json", {"status": "open"})
    before = counts()
    assert before == (1, 3)
    photo = SimpleUploadedFile("p.jpg", jpeg_with_exif(), content_type="image/jpeg")
    for i in range(4):  # more rows, with photos: not one query more
        admit(js(post(description=f"再{i}", media=photo if i == 0 else None))[0]["token"])
    assert counts() == before
    rows = js(client.get("/open311/v2/requests.json", {"status": "open"}))
    assert len(rows) == 7
    assert sum(1 for r in rows if r["media_url"]) == 1


def test_datatype_descriptions_follow_the_language(client: Client, catalogue: Any) -> None:
    url = "/open311/v2/services/event-0199.json"
    zh = js(client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans"))["attributes"]
    en = js(client.get(url, HTTP_ACCEPT_LANGUAGE="en"))["attributes"]
    number_zh = next(a for a in zh if a["datatype"] == "number")["datatype_description"]
    number_en = next(a for a in en if a["datatype"] == "number")["datatype_description"]
    assert number_en == "A number."
    assert number_zh == "数字。"


def test_status_notes_carry_only_the_published_reply(
    client: Client, three: list[str], personas: Any
) -> None:
    """A handled case's status_notes give the reply its unit published with the handling; an
    unpublished note stays internal, and a rework withdraws the earlier reply."""
    from cityops.cases.services import case_transition

    def handle(number: str, **payload: Any) -> Case:
        case = Case.objects.get(number=number)
        case_transition(
            case_id=case.pk,
            action="file",
            actor=personas.shift_lead,
            payload=File(condition_met=True),
        )
        case_transition(case_id=case.pk, action="dispatch", actor=personas.dispatcher)
        case_transition(
            case_id=case.pk,
            action="handle",
            actor=personas.operator_a,
            payload=Handle(photos=[jpeg()], **payload),
        )
        return case

    handle(three[0], note="内部：车辆调度记录", publish_reply=True, public_reply="已清运完毕")
    handle(three[1], note="内部：未公开的处置说明")

    def notes(number: str, **params: str) -> str:
        return str(js(client.get(f"/open311/v2/requests/{number}.json", params))[0]["status_notes"])

    for params in ({}, {"extensions": "true"}):
        assert notes(three[0], **params).endswith(": 已清运完毕")
        assert "内部" not in notes(three[0], **params)
        assert "内部" not in notes(three[1], **params)
        assert notes(three[1], **params) == "已处置"
    listed = {r["service_request_id"]: r for r in js(client.get("/open311/v2/requests.json"))}
    assert listed[three[0]]["status_notes"].endswith(": 已清运完毕")
    assert listed[three[1]]["status_notes"] == "已处置"
    root = xml(client.get(f"/open311/v2/requests/{three[0]}.xml"))
    assert (root.findtext("request/status_notes") or "").endswith(": 已清运完毕")

    case = Case.objects.get(number=three[0])
    case_transition(
        case_id=case.pk,
        action="rework",
        actor=personas.inspector,
        payload=Rework(reason="未清理干净", photos=[jpeg()]),
    )
    assert "已清运完毕" not in notes(three[0])
