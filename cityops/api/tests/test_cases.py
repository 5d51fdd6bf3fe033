"""Cases over REST: scoping like the UI, filters, cursor pages, create, actions, errors."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from rest_framework.test import APIClient

from cityops.api.models import ApiToken
from cityops.api.tests.conftest import EAST, WEST
from cityops.api.tokens import api_token_revoke
from cityops.cases.models import Case
from cityops.core.coords import wgs84_to_gcj02

pytestmark = pytest.mark.django_db

Api = Callable[..., APIClient]


def numbers(response: Any) -> list[str]:
    assert response.status_code == 200, response.content
    return [row["number"] for row in response.json()["results"]]


def test_anonymous_and_bad_tokens_are_refused(api: Api, personas: Any) -> None:
    assert api().get("/api/v1/cases/").status_code in (401, 403)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token nope")
    assert client.get("/api/v1/cases/").status_code == 401
    with_token = api(personas.dispatcher)
    token = ApiToken.objects.get(credential__owner=personas.dispatcher)
    assert with_token.get("/api/v1/cases/").status_code == 200
    api_token_revoke(token_id=token.pk)
    assert with_token.get("/api/v1/cases/").status_code == 401


def test_operator_sees_only_its_cases(api: Api, personas: Any, dispatched: Any) -> None:
    a, b = dispatched(WEST), dispatched(EAST)
    assert a.assignee != b.assignee
    op_a = api(personas.operator_a)
    assert numbers(op_a.get("/api/v1/cases/")) == [a.number]
    assert op_a.get(f"/api/v1/cases/{a.number}/").status_code == 200
    op_b = api(personas.operator_b)
    assert op_b.get(f"/api/v1/cases/{a.number}/").status_code == 404
    action = op_b.post(f"/api/v1/cases/{a.number}/actions/request_return/", {"reason": "x"})
    assert action.status_code == 404
    assert sorted(numbers(api(personas.dispatcher).get("/api/v1/cases/"))) == sorted(
        [a.number, b.number]
    )
    assert numbers(api(personas.citizen).get("/api/v1/cases/")) == []


def test_session_auth_works_for_the_browser(api: Api, personas: Any, dispatched: Any) -> None:
    case = dispatched()
    assert numbers(api(personas.operator_a, token=False).get("/api/v1/cases/")) == [case.number]


def test_detail_has_timeline_and_masked_reporter(api: Api, personas: Any, dispatched: Any) -> None:
    case = dispatched()
    body = api(personas.dispatcher).get(f"/api/v1/cases/{case.number}/").json()
    assert [e["action"] for e in body["events"]] == ["report", "accept", "file", "dispatch"]
    assert body["reporter_phone"] != "13900139000"
    assert "王小明" not in str(body)
    assert body["category"]["service_code"] == "event-0102"


def test_filters_and_cursor_pagination(api: Api, personas: Any, dispatched: Any) -> None:
    cases = [dispatched(WEST) for _ in range(3)] + [dispatched(EAST)]
    client = api(personas.dispatcher)

    def get(**q: str) -> list[str]:
        return numbers(client.get("/api/v1/cases/", q))

    assert len(get(status="dispatched")) == 4
    assert get(status="closed") == []
    assert len(get(operator=str(cases[0].assignee_id))) == 3
    assert len(get(street=str(cases[3].street_id))) == 1
    assert len(get(category="event-0102", urgency="normal", source="inspector")) == 4
    assert get(overdue="true") == []
    assert get(q=cases[1].number) == [cases[1].number]
    assert len(get(q="暴露垃圾")) == 4
    assert get(reported_after="2099-01-01T00:00:00+08:00") == []
    first = client.get("/api/v1/cases/", {"page_size": 3}).json()
    assert len(first["results"]) == 3
    rest = client.get(first["next"]).json()
    assert len(rest["results"]) == 1
    assert rest["next"] is None


def test_unknown_but_well_formed_category_matches_nothing(
    api: Api, personas: Any, dispatched: Any
) -> None:
    dispatched()
    client = api(personas.dispatcher)

    def get(category: str) -> Any:
        return client.get("/api/v1/cases/", {"category": category})

    assert get("event-9999").status_code == 200
    assert numbers(get("event-9999")) == []
    assert numbers(get("999999")) == []
    assert len(numbers(get("event-9999,event-0102"))) == 1


def test_schema_documents_what_the_api_accepts(api: Api, personas: Any, catalogue: Any) -> None:
    from cityops.cases.models import Category

    schema = api(personas.dispatcher).get("/api/schema/?format=json").json()
    components = schema["components"]["schemas"]
    codes = components["CaseCreateRequest"]["properties"]["category"]["enum"]
    assert "event-0102" in codes
    assert "event-01" not in codes  # a major class is not a service code
    Category.objects.filter(kind="event", code="0102").update(active=False)
    again = api(personas.dispatcher).get("/api/schema/?format=json").json()
    assert (
        "event-0102"
        not in again["components"]["schemas"]["CaseCreateRequest"]["properties"]["category"]["enum"]
    )
    assert "" in components["ActionRaiseUrgencyRequest"]["properties"]["category"]["enum"]
    recategorise = components["ActionRecategoriseRequest"]
    assert "" not in recategorise["properties"]["category"]["enum"]
    assert set(recategorise["required"]) == {"reason", "category"}
    create = schema["paths"]["/api/v1/cases/"]["post"]["requestBody"]["content"]
    assert "image/jpeg" in create["multipart/form-data"]["encoding"]["photos"]["contentType"]
    assert "photos" not in components["CaseCreateRequest"]["properties"]  # JSON carries no files
    # A report's answers are those its category's questions take.
    branch = next(
        b for b in components["CaseCreateRequest"]["oneOf"]
        if "event-0402" in b["properties"]["category"]["enum"]
    )  # fmt: skip
    assert branch["required"] == ["answers"]
    assert branch["properties"]["answers"]["additionalProperties"] is False
    assert components["HotlineOrderRequest"]["additionalProperties"] is False
    webhook = components["WebhookInRequest"]["properties"]["url"]
    assert webhook["format"] == "public-https-url"
    # Free text refuses what the edge refuses (cityops.core.text): C0/C1 controls.
    text = components["HotlineOrderRequest"]["properties"]["content"]["pattern"]
    assert re.search(text, "路面积水\n两处")
    assert not re.search(text, "积水\x93")
    assert not re.search(text, " \n ")  # required: something besides white space
    # One operation per workflow action, its body requiring what its guards require.
    handle = schema["paths"]["/api/v1/cases/{number}/actions/handle/"]["post"]
    assert list(handle["requestBody"]["content"]) == ["multipart/form-data"]  # photos
    assert set(components["ActionHandleUploadRequest"]["required"]) == {"note", "photos"}
    assert components["ActionRejectRequest"]["required"] == ["reason"]
    assert "/api/v1/cases/{number}/actions/{action}/" not in schema["paths"]
    # Ids are 64-bit: a negative one is well-formed (it matches nothing).
    street = next(
        p for p in schema["paths"]["/api/v1/cases/"]["get"]["parameters"] if p["name"] == "street"
    )
    assert street["schema"]["minimum"] == -(2**63)
    assert street["schema"]["maximum"] == 2**63 - 1
    number = schema["paths"]["/api/v1/cases/{number}/"]["get"]["parameters"]
    path = next(p["schema"]["pattern"] for p in number if p["name"] == "number")
    assert re.search(path, "2026000001")
    assert not re.search(path, "2026\x92")


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"status": "nonsense"}, "status"),
        ({"category": "event 0102"}, "category"),
        ({"category": "nope"}, "category"),
        ({"street": "abc"}, "street"),
        ({"overdue": "maybe"}, "overdue"),
        ({"reported_after": "yesterday"}, "reported_after"),
        ({"coord_sys": "utm"}, "coord_sys"),
    ],
)
def test_bad_filters_name_the_field(
    api: Api, personas: Any, query: dict[str, str], field: str
) -> None:
    response = api(personas.dispatcher).get("/api/v1/cases/", query)
    assert response.status_code == 400
    assert response.json()["field"] == field


def test_coordinates_in_gcj02(api: Api, personas: Any, dispatched: Any) -> None:
    case = dispatched()
    row = (
        api(personas.dispatcher).get("/api/v1/cases/", {"coord_sys": "gcj02"}).json()["results"][0]
    )
    gx, gy = wgs84_to_gcj02(case.lon, case.lat)
    assert row["lon"] == pytest.approx(gx, abs=1e-6)
    assert row["lat"] == pytest.approx(gy, abs=1e-6)
    assert row["coord_sys"] == "gcj02"


def test_create_is_idempotent_and_accepts_gcj02(api: Api, personas: Any, catalogue: Any) -> None:
    client = api(personas.inspector)
    gx, gy = wgs84_to_gcj02(*WEST)
    data = {"category": "event-0102", "lon": gx, "lat": gy, "coord_sys": "gcj02",
            "description": "垃圾", "answers": {"volume_m3": 1}}  # fmt: skip
    first = client.post("/api/v1/cases/", data, format="json", HTTP_IDEMPOTENCY_KEY="abc")
    assert first.status_code == 201, first.content
    assert first.json()["tracking_code"]
    again = client.post("/api/v1/cases/", data, format="json", HTTP_IDEMPOTENCY_KEY="abc")
    assert again.status_code == 200
    assert again.json()["number"] == first.json()["number"]
    case = Case.objects.get()
    assert case.lon == pytest.approx(WEST[0], abs=1e-6)
    assert case.routed_org is not None


@pytest.mark.parametrize(
    ("data", "field", "status"),
    [
        ({"lon": "east"}, "lon", 400),
        ({"category": "nope"}, "category", 400),
        ({"description": ""}, "description", 400),
        ({"description": "  "}, "description", 400),
        # Well-formed, but outside what the registry governs today: the registry's call.
        ({"lon": 10.0, "lat": 10.0}, "lon", 409),
        ({"answers": {"volume_m3": "lots"}}, "volume_m3", 400),
        ({"reporter_phone": "１３９００１３９０００"}, "reporter_phone", 400),  # full-width digits
        ({"photos": ["x.jpg"]}, "photos", 400),  # files travel only in multipart bodies
        ({"descripton": "typo"}, "descripton", 400),  # an unknown field is not ignored
        ({"source": "hotline"}, None, 403),  # inspectors may not pose as the hotline
    ],
)
def test_create_errors(
    api: Api, personas: Any, catalogue: Any, data: dict[str, Any], field: str | None, status: int
) -> None:
    body = {"category": "event-0102", "lon": WEST[0], "lat": WEST[1], "description": "垃圾", **data}
    response = api(personas.inspector).post("/api/v1/cases/", body, format="json")
    assert response.status_code == status, response.content
    if field is not None:
        assert field in str(response.json())
    assert not Case.objects.exists()


def test_workflow_actions_through_the_api(api: Api, personas: Any, catalogue: Any) -> None:
    from cityops.api.tests.test_helpers import jpeg

    number = (
        api(personas.inspector)
        .post(
            "/api/v1/cases/",
            {"category": "event-0102", "lon": WEST[0], "lat": WEST[1], "description": "垃圾"},
            format="json",
        )
        .json()["number"]
    )

    def act(user: Any, action: str, data: dict[str, Any] | None = None, **kw: Any) -> Any:
        return api(user).post(f"/api/v1/cases/{number}/actions/{action}/", data or {}, **kw)

    assert act(personas.intake_clerk, "accept").status_code == 200
    assert act(personas.operator_a, "file").status_code == 404  # not its case (yet)
    assert act(personas.inspector, "file").status_code == 403
    bad = act(personas.shift_lead, "file")
    assert bad.status_code == 400
    assert bad.json()["field"] == "condition_met"
    assert (
        act(personas.shift_lead, "file", {"condition_met": True}, format="json").status_code == 200
    )
    assert act(personas.dispatcher, "dispatch").status_code == 200
    assert act(personas.dispatcher, "dispatch").status_code == 409  # already dispatched
    assert act(personas.operator_b, "handle", {"note": "x"}).status_code == 404
    no_photo = act(personas.operator_a, "handle", {"note": "已清理"})
    assert no_photo.json()["field"] == "photos"
    done = act(
        personas.operator_a, "handle", {"note": "已清理", "photos": [jpeg()]}, format="multipart"
    )
    assert done.status_code == 200, done.content
    assert done.json()["status"] == "handled"
    assert done.json()["photos"][0]["url"].startswith("http://testserver/")
    assert act(personas.dispatcher, "fly").status_code == 404


def test_body_size_limit(api: Api, personas: Any, settings: Any) -> None:
    settings.CITYOPS_API_MAX_BODY_BYTES = 100
    response = api(personas.inspector).post(
        "/api/v1/cases/", {"description": "x" * 500}, format="json"
    )
    assert response.status_code == 413


def test_deeply_nested_json_body_is_a_400(api: Api, personas: Any, catalogue: Any) -> None:
    client = api(personas.inspector)
    before = Case.objects.count()
    for depth in (100, 100_000):  # below and above the interpreter's recursion limit
        body = '{"category": "event-0102", "answers": ' + "[" * depth + "]" * depth + "}"
        response = client.post(
            "/api/v1/cases/", body, content_type="application/json", HTTP_ACCEPT_LANGUAGE="en"
        )
        assert response.status_code == 400, depth
        assert "nested deeper than 64 levels" in response.content.decode()
    assert Case.objects.count() == before


def test_etag_and_if_match_on_actions(api: Api, personas: Any, dispatched: Any) -> None:
    case = dispatched()
    unit, centre = api(personas.operator_a), api(personas.dispatcher)
    detail = unit.get(f"/api/v1/cases/{case.number}/")
    assert detail["ETag"] == f'"{case.version}"'
    url = f"/api/v1/cases/{case.number}/actions/"
    ask = {"reason": "不属本单位"}
    stale = unit.post(url + "request_return/", ask, HTTP_IF_MATCH=f'"{case.version - 1}"')
    assert stale.status_code == 412
    assert stale.json()["code"] == "precondition_failed"
    assert unit.post(url + "request_return/", ask, HTTP_IF_MATCH="yesterday").status_code == 400
    done = unit.post(url + "request_return/", ask, HTTP_IF_MATCH=detail["ETag"])
    assert done.status_code == 200, done.content
    assert done["ETag"] == f'"{case.version + 1}"'
    assert centre.get(f"/api/v1/cases/{case.number}/")["ETag"] == done["ETag"]
    # An ETag read before the request is stale now: the action is refused, not applied.
    refuse = {"reason": "属本单位"}
    assert (
        centre.post(url + "refuse_return/", refuse, HTTP_IF_MATCH=detail["ETag"]).status_code == 412
    )
    fresh = centre.post(url + "refuse_return/", refuse, HTTP_IF_MATCH=done["ETag"])
    assert fresh.status_code == 200, fresh.content


def test_form_null_is_refused_where_null_is_not_allowed(
    api: Api, personas: Any, dispatched: Any
) -> None:
    case = dispatched()
    url = f"/api/v1/cases/{case.number}/actions/request_return/"
    response = api(personas.operator_a).post(url, {"reason": "null"}, format="multipart")
    assert (response.status_code, list(response.json())) == (400, ["reason"])
    again = api(personas.operator_a).post(url, {"reason": "a", "reason2": "x"}, format="multipart")
    assert (again.status_code, list(again.json())) == (400, ["reason2"])  # unknown field


def test_multipart_null_means_none(api: Api, personas: Any, dispatched: Any) -> None:
    case = dispatched()
    response = api(personas.operator_a).post(
        f"/api/v1/cases/{case.number}/actions/request_return/",
        {"reason": "不属本单位", "unit": "null", "expected_version": "null"},
        format="multipart",
    )
    assert response.status_code == 200, response.content
