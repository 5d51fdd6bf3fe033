"""The inspection workflow through its services: record, far flag, submit, immutability,
supervisor corrections, deductions opening routed cases, and the monthly source."""

from __future__ import annotations

from decimal import Decimal as D
from typing import Any

import pytest

from cityops.cases.catalogue_demo import CATALOGUE
from cityops.cases.models import Category, Source
from cityops.cases.services.catalogue import catalogue_load
from cityops.core.errors import Conflict, DomainError, NotFound, PermissionDenied
from cityops.core.models import AuditEvent
from cityops.evaluations.runs.month import evaluate_month
from cityops.inspections.models import Inspection, InspectionSettings, Status
from cityops.inspections.services.followup import finding_open_case
from cityops.inspections.services.inspections import (
    FindingInput,
    Position,
    SectionInput,
    inspection_correct,
    inspection_create,
    inspection_record,
    inspection_submit,
)
from cityops.inspections.services.plans import inspection_assign, plan_draw
from cityops.inspections.sources import monthly_inspections
from cityops.inspections.tests.conftest import OCT, WEST_ROAD, jpeg, png

pytestmark = pytest.mark.usefixtures("schemes")


@pytest.fixture
def planned(small_city: Any, personas: Any) -> Inspection:
    plan = plan_draw(lot_id=small_city.lot_a.pk, month=OCT, actor=personas.supervisor, seed=5)
    inspection = Inspection.objects.get(plan=plan)
    inspection_assign(
        inspection_ids=[inspection.pk],
        inspector_id=personas.inspector.pk,
        actor=personas.supervisor,
    )
    return inspection


def garbage_found(n: int = 3) -> list[FindingInput]:
    return [FindingInput("roadway", "exposed_garbage", D(n), "路边垃圾")]


def sections(rating: int = 5) -> list[SectionInput]:
    return [SectionInput("roadway", 1, side, "张三", (rating,) * 4) for side in ("left", "right")]


def record_and_submit(inspection: Inspection, personas: Any, **extra: Any) -> Inspection:
    inspection_record(
        inspection_id=inspection.pk,
        actor=personas.inspector,
        findings=garbage_found(),
        sections=sections(),
        position=Position(*WEST_ROAD, accuracy_m=8),
        operator_signer="李四",
        photos=[("exposed_garbage", jpeg())],
        **extra,
    )
    return inspection_submit(
        inspection_id=inspection.pk,
        actor=personas.inspector,
        inspector_signature=png(),
        operator_signature=png(),
    )


def test_record_then_submit_then_immutable(planned: Inspection, personas: Any) -> None:
    done = record_and_submit(planned, personas)
    assert done.status == Status.SUBMITTED
    assert done.started_at is not None
    assert done.submitted_at is not None
    assert (done.distance_m, done.far_from_asset) == (0.0, False)
    assert done.inspector_signature.name
    assert done.operator_signature.name
    assert done.photos.get().item_code == "exposed_garbage"
    assert [(f.item_code, f.quantity) for f in done.findings.all()] == [("exposed_garbage", D(3))]
    with pytest.raises(Conflict):
        inspection_record(inspection_id=planned.pk, actor=personas.inspector, findings=[])
    with pytest.raises(Conflict):  # not even a supervisor edits it outside a correction
        inspection_record(inspection_id=planned.pk, actor=personas.supervisor, findings=[])
    assert done.findings.get().quantity == 3
    codes = set(AuditEvent.objects.filter(target_id=str(planned.pk)).values_list("code", flat=True))
    assert {
        "inspection.assigned",
        "inspection.started",
        "inspection.recorded",
        "inspection.submitted",
    } <= codes


def test_far_flag_uses_the_editable_distance(planned: Inspection, personas: Any) -> None:
    # 0.004° of latitude ≈ 445 m north of the road
    far = Position(WEST_ROAD[0], WEST_ROAD[1] + 0.004)
    got = inspection_record(
        inspection_id=planned.pk, actor=personas.inspector, findings=[], position=far
    )
    assert got.far_from_asset
    assert 440 < (got.distance_m or 0) < 450
    InspectionSettings.objects.filter(pk=1).update(far_distance_m=500)
    got = inspection_record(
        inspection_id=planned.pk, actor=personas.inspector, findings=[], position=far
    )
    assert not got.far_from_asset
    got = inspection_record(inspection_id=planned.pk, actor=personas.inspector, findings=[])
    assert (got.position_source, got.distance_m, got.far_from_asset) == ("none", None, False)


def test_bad_input_is_refused_cleanly(planned: Inspection, personas: Any) -> None:
    bad = [
        [FindingInput("roadway", "no_such_item", D(1))],
        [FindingInput("cases", "overdue", D(1))],  # the case component is not inspected
        [FindingInput("roadway", "exposed_garbage", D(-1))],
    ]
    for findings in bad:
        with pytest.raises(DomainError):
            inspection_record(inspection_id=planned.pk, actor=personas.inspector, findings=findings)
    with pytest.raises(DomainError):
        inspection_record(
            inspection_id=planned.pk,
            actor=personas.inspector,
            findings=[],
            sections=[SectionInput("roadway", 1, "left", "张三", (6, 5, 5, 5))],
        )
    with pytest.raises(DomainError):
        inspection_record(
            inspection_id=planned.pk,
            actor=personas.inspector,
            findings=[],
            position=Position(500.0, 43.0),
        )
    inspection_record(
        inspection_id=planned.pk, actor=personas.inspector, findings=[], operator_signer="李四"
    )
    with pytest.raises(DomainError):  # a JPEG is no signature
        inspection_submit(
            inspection_id=planned.pk,
            actor=personas.inspector,
            inspector_signature=jpeg(),
            operator_signature=png(),
        )
    planned.refresh_from_db()
    assert planned.status == Status.IN_PROGRESS


def test_announced_needs_both_signatures_unannounced_none(
    planned: Inspection, personas: Any, small_city: Any
) -> None:
    inspection_record(inspection_id=planned.pk, actor=personas.inspector, findings=[])
    with pytest.raises(DomainError):
        inspection_submit(
            inspection_id=planned.pk, actor=personas.inspector, inspector_signature=png()
        )
    secret = inspection_create(
        kind="unannounced",
        asset=f"road:{small_city.road_west.pk}",
        actor=personas.inspector,
        month=OCT,
    )
    inspection_record(inspection_id=secret.pk, actor=personas.inspector, findings=[])
    assert inspection_submit(inspection_id=secret.pk, actor=personas.inspector).is_submitted


def test_other_inspectors_and_operators_cannot_record(planned: Inspection, personas: Any) -> None:
    for who in (personas.operator_a, personas.operator_b, personas.dispatcher):
        with pytest.raises(NotFound):
            inspection_record(inspection_id=planned.pk, actor=who, findings=[])
    with pytest.raises(PermissionDenied):  # the mayor's office sees it, but only reads
        inspection_record(inspection_id=planned.pk, actor=personas.mayor, findings=[])


def test_supervisor_corrects_a_submitted_inspection_with_audit(
    planned: Inspection, personas: Any
) -> None:
    record_and_submit(planned, personas)
    with pytest.raises(PermissionDenied):
        inspection_correct(
            inspection_id=planned.pk,
            actor=personas.inspector,
            findings=garbage_found(1),
            reason="错记",
        )
    with pytest.raises(DomainError):
        inspection_correct(
            inspection_id=planned.pk,
            actor=personas.supervisor,
            findings=garbage_found(1),
            reason=" ",
        )
    got = inspection_correct(
        inspection_id=planned.pk,
        actor=personas.supervisor,
        findings=garbage_found(1),
        reason="复核照片只有一处",
    )
    assert got.revision == 1
    assert got.findings.get().quantity == 1
    event = AuditEvent.objects.get(code="inspection.corrected")
    assert event.data["before"] == {"roadway.exposed_garbage": "3.00"}
    assert event.data["after"] == {"roadway.exposed_garbage": "1"}


def test_deduction_opens_a_case_routed_to_the_operator(
    planned: Inspection, personas: Any, small_city: Any
) -> None:
    catalogue_load(data=CATALOGUE)
    garbage = Category.objects.get(kind="event", code="0102")
    done = record_and_submit(planned, personas)
    finding = done.findings.get()
    case = finding_open_case(finding_id=finding.pk, actor=personas.inspector, category=garbage)
    finding.refresh_from_db()
    assert finding.case_id == case.pk
    assert case.source == Source.INSPECTOR
    assert (case.contract_id, case.routed_org_id) == (
        small_city.contract_a.pk,
        small_city.operator_a.pk,
    )
    assert case.photos.count() == 1  # the finding's photo travels with the case
    with pytest.raises(Conflict):
        finding_open_case(finding_id=finding.pk, actor=personas.inspector, category=garbage)
    with pytest.raises(NotFound):
        finding_open_case(finding_id=finding.pk, actor=personas.operator_b, category=garbage)


def test_source_feeds_the_monthly_run_and_changes_the_score(
    planned: Inspection, personas: Any, small_city: Any, django_assert_max_num_queries: Any
) -> None:
    before = {e.contract.number: e.score for e in evaluate_month(month=OCT).evaluated}
    assert before["HW-A"] == D("100.00")
    record_and_submit(planned, personas)
    ids = [small_city.contract_a.pk, small_city.contract_b.pk, small_city.contract_green.pk]
    with django_assert_max_num_queries(4):
        months = monthly_inspections(contract_ids=ids, month=OCT)
    assert set(months) == {small_city.contract_a.pk}
    a = months[small_city.contract_a.pk]
    assert a.findings["roadway"] == {"exposed_garbage": D(3)}
    assert a.evidence["roadway"] == {"exposed_garbage": [planned.pk], "sensory": [planned.pk]}
    assert len(a.sensory["roadway"]) == 1
    assert len(a.sensory["roadway"][0]) == 2
    report = evaluate_month(month=OCT, inspections=monthly_inspections)
    after = {e.contract.number: e for e in report.evaluated}
    # roadway: 100 − 3 × 2 = 94 (weight 50), cases 100 (weight 30), no survey → reweighted
    assert after["HW-A"].score == D("96.25")
    assert after["HW-A"].inputs["inspection"]["evidence"]["roadway"]["exposed_garbage"] == [
        planned.pk
    ]
    assert after["HW-B"].score == D("100.00")
