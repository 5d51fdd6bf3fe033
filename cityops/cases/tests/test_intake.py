"""Intake: numbering, routing against the small city, idempotency, validation, privacy."""

from __future__ import annotations

import re

import pytest
from django.db import connection

from cityops.cases.models import Case, CaseEvent, CasePhoto, Status
from cityops.cases.services import case_find_by_tracking_code
from cityops.cases.tests.conftest import EAST, WEST, jpeg
from cityops.core.coords import wgs84_to_gcj02
from cityops.core.crypto import blind_index
from cityops.core.errors import DomainError, PermissionDenied
from cityops.core.models import AuditEvent


def test_number_is_date_and_daily_sequence(report) -> None:
    first, second = report(), report()
    assert re.fullmatch(r"\d{13}", first.number)
    assert first.number[:8] == second.number[:8]
    assert int(second.number[8:]) == int(first.number[8:]) + 1


def test_west_point_routes_to_operator_a(report, small_city) -> None:
    case = report(point=WEST)
    assert case.routed_org_id == small_city.operator_a.pk
    assert case.lot_id == small_city.lot_a.pk
    assert case.contract_id == small_city.contract_a.pk
    assert case.grid_id == small_city.grids["west_south"].pk
    assert case.street_id == small_city.street_west.pk
    assert case.community_id == small_city.community_west.pk
    assert "HW-A-1" in case.routing_explanation
    assert "HW-A" in case.routing_explanation
    assert small_city.grids["west_south"].code in case.routing_explanation


def test_east_point_routes_to_operator_b(report, small_city) -> None:
    case = report(point=EAST)
    assert case.routed_org_id == small_city.operator_b.pk
    assert case.lot_id == small_city.lot_b.pk


def test_component_goes_to_its_owner_department(report, catalogue, small_city) -> None:
    """部件先属主: no municipal lot covers the point, the component's maintainer/owner does."""
    case = report(category=catalogue["cover"], component=small_city.component)
    assert case.routed_org_id == small_city.department.pk
    assert small_city.component.code in case.routing_explanation


def test_event_without_lot_goes_to_the_street_office(report, catalogue, small_city) -> None:
    """事件先属地: 私搭乱建 has no contractor; the west street office is responsible."""
    case = report(category=catalogue["illegal_building"])
    assert case.routed_org_id == small_city.street_office_west.pk
    assert case.lot_id is None


def test_nobody_found_leaves_it_to_the_dispatcher(report, catalogue) -> None:
    case = report(point=EAST, category=catalogue["illegal_building"])  # east has no office
    assert case.routed_org_id is None
    assert case.routing_explanation


def test_property_category_goes_to_the_compound_manager(report, catalogue, small_city) -> None:
    case = report(
        point=(122.266, 43.613),
        category=catalogue["elevator"],
        answers={"people_trapped": "yes", "building": "3号楼2单元"},
    )
    assert case.routed_org_id == small_city.property_company.pk
    assert case.answers == {"people_trapped": "yes", "building": "3号楼2单元"}


def test_gcj02_input_is_stored_as_wgs84(report, small_city) -> None:
    gx, gy = wgs84_to_gcj02(*WEST)
    case = report(point=(gx, gy), coord_sys="gcj02")
    assert case.lon == pytest.approx(WEST[0], abs=1e-6)
    assert case.lat == pytest.approx(WEST[1], abs=1e-6)


def test_retry_with_the_same_key_returns_the_same_case(report) -> None:
    first = report(idempotency_key="app-123")
    again = report(idempotency_key="app-123")
    assert again.pk == first.pk
    assert again.tracking_code == first.tracking_code
    assert Case.objects.filter(idempotency_key="app-123").count() == 1
    other = report(idempotency_key="app-124")
    assert other.pk != first.pk


def test_public_report_waits_for_verification(report, personas) -> None:
    case = report(source="public", actor=None, reporter_phone="13812345678")
    assert case.status == Status.AWAITING_VERIFICATION
    assert case.reported_by is None


def test_source_needs_the_right_role(report, personas) -> None:
    with pytest.raises(PermissionDenied):
        report(source="hotline", actor=personas.operator_a)
    with pytest.raises(PermissionDenied):
        report(source="inspector", actor=None)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"point": (100.0, 30.0)}, "lon"),
        ({"point": ("x", 43.6)}, "lon"),
        ({"description": "  "}, "description"),
        ({"category": 999999}, "category"),
        ({"reporter_phone": "call me"}, "reporter_phone"),
        ({"coord_sys": "mars"}, "coord_sys"),
        ({"urgency": "asap"}, "urgency"),
        ({"source": "pigeon"}, "source"),
    ],
)
def test_bad_input_is_refused_without_writes(report, kwargs, field) -> None:
    with pytest.raises(DomainError) as exc:
        report(**kwargs)
    assert exc.value.field == field
    assert not Case.objects.exists()


def test_answers_are_validated(report, catalogue) -> None:
    with pytest.raises(DomainError) as exc:
        report(category=catalogue["elevator"], answers={"building": "1号楼"})
    assert exc.value.field == "people_trapped"
    with pytest.raises(DomainError):
        report(category=catalogue["elevator"], answers={"people_trapped": "maybe", "building": "1"})
    with pytest.raises(DomainError):
        report(answers={"unknown": 1})
    assert not Case.objects.exists()


def test_reporter_data_is_encrypted_masked_and_indexed(report) -> None:
    case = report(reporter_name="张三丰", reporter_phone="13812345678")
    with connection.cursor() as cur:
        cur.execute("SELECT reporter_name, reporter_phone FROM cases_case WHERE id = %s", [case.pk])
        raw_name, raw_phone = cur.fetchone()
    assert "张三丰" not in raw_name
    assert "13812345678" not in raw_phone
    stored = Case.objects.get(pk=case.pk)
    assert stored.reporter_phone == "13812345678"
    assert stored.reporter_name_masked == "张**"
    assert stored.reporter_phone_masked == "138****5678"
    index = blind_index("+86 138-1234-5678", purpose="case_reporter_phone")
    assert Case.objects.filter(reporter_phone_index=index).get().pk == case.pk


def test_tracking_code_finds_the_case_and_only_its_hash_is_stored(report) -> None:
    case = report()
    code = case.tracking_code
    stored = Case.objects.get(pk=case.pk)
    assert code not in (stored.tracking_hash, stored.tracking_nonce)
    assert case_find_by_tracking_code(number=case.number, code=code.lower()) == stored
    assert case_find_by_tracking_code(number=case.number, code="WRONGCODE123") is None


def test_photos_are_stored_with_a_public_copy(report) -> None:
    case = report(photos=[jpeg("red")])
    photo = CasePhoto.objects.get(case=case)
    assert photo.kind == "before"
    assert photo.public.name.endswith(".jpg")
    assert photo.thumbnail.name
    assert photo.original.name
    with pytest.raises(DomainError):
        report(photos=[b"not an image"])


def test_self_handled_needs_before_and_after_photos(report) -> None:
    with pytest.raises(DomainError):
        report(source="self_handled", photos=[jpeg()])
    case = report(source="self_handled", photos=[jpeg()], after_photos=[jpeg("green")])
    assert case.status == Status.SELF_HANDLED
    assert set(case.photos.values_list("kind", flat=True)) == {"before", "after"}


def test_report_writes_event_and_audit(report, personas) -> None:
    case = report()
    event = CaseEvent.objects.get(case=case)
    assert (event.action, event.to_status, event.actor) == (
        "report",
        "reported",
        personas.inspector,
    )
    audit = AuditEvent.objects.get(code="case.report", target_id=str(case.pk))
    assert audit.actor == personas.inspector
