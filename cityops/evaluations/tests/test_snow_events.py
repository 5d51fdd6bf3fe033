"""Per-snowfall evaluation: days late from the deadlines, acceptance items, revisions, the
month's separate snow line, the pages and who may see them."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D
from typing import Any

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cityops.core.errors import Conflict, DomainError, NotFound
from cityops.core.models import AuditEvent
from cityops.evaluations.demo_run import DEMO_SUPERVISOR, evaluations_step
from cityops.evaluations.models import Evaluation, Period, PeriodStatus, SnowEvaluation
from cityops.evaluations.ranking.pdf import money, operator_report_pdf
from cityops.evaluations.runs.month import evaluate_month
from cityops.evaluations.snow.services import days_late, evaluate_snow_event
from cityops.evaluations.surveys.services import policy_get
from cityops.evaluations.tests.conftest import at
from cityops.inspections.models import Inspection
from cityops.inspections.services.inspections import (
    FindingInput,
    inspection_record,
    inspection_submit,
)
from cityops.inspections.services.plans import inspection_assign
from cityops.inspections.services.snow import deadline_at, snow_acceptance_plan, snow_event_create
from cityops.inspections.tests.conftest import png

pytestmark = pytest.mark.usefixtures("schemes")
TZ = timezone.get_fixed_timezone(8 * 60)
OCT = dt.date(2026, 10, 1)


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    client.cookies["django_language"] = "en"
    return client


def accept(personas: Any, inspection: Inspection, findings: list[FindingInput]) -> None:
    inspection_assign(
        inspection_ids=[inspection.pk], inspector_id=personas.inspector.pk,
        actor=personas.supervisor,
    )  # fmt: skip
    inspection_record(
        inspection_id=inspection.pk, actor=personas.inspector, findings=findings,
        operator_signer="王五",
    )  # fmt: skip
    inspection_submit(
        inspection_id=inspection.pk, actor=personas.inspector,
        inspector_signature=png(), operator_signature=png(),
    )  # fmt: skip


@pytest.fixture
def snowfall(personas: Any, small_city: Any) -> dict[str, Any]:
    """An October snowfall; road west accepted 30 h after its clearing deadline with snow left
    (clearing lateness not recorded: derived), road east with a recorded haul-out delay."""
    event = snow_event_create(
        name="十月中雪",
        started_at=dt.datetime(2026, 10, 10, 2, tzinfo=TZ),
        ended_at=dt.datetime(2026, 10, 10, 20, tzinfo=TZ),
        level="moderate",
        actor=personas.supervisor,
    )
    snow_acceptance_plan(event_id=event.pk, actor=personas.supervisor)
    west = event.inspections.get(road_segment=small_city.road_west)
    east = event.inspections.get(road_segment=small_city.road_east)
    accept(personas, west, [FindingInput("acceptance", "no_black_surface", D(5))])
    accept(personas, east, [FindingInput("clearing", "haul_late", D(1))])
    clear_by = deadline_at(event, small_city.road_west.road_class, "clear")
    assert clear_by is not None
    Inspection.objects.filter(pk=west.pk).update(finished_at=clear_by + dt.timedelta(hours=30))
    Inspection.objects.filter(pk=east.pk).update(
        finished_at=dt.datetime(2026, 10, 11, 9, tzinfo=TZ)
    )
    return {"event": event, "west": west, "east": east}


def test_days_late_round_up_to_whole_days() -> None:
    due = dt.datetime(2026, 10, 11, 8, tzinfo=TZ)
    assert days_late(due, due) == 0
    assert days_late(due, due + dt.timedelta(minutes=1)) == 1
    assert days_late(due, due + dt.timedelta(hours=24)) == 1
    assert days_late(due, due + dt.timedelta(hours=30)) == 2
    assert days_late(None, due) == 0
    assert days_late(due, None) == 0


def test_event_scored_with_the_scheme_in_force(
    snowfall: dict[str, Any], personas: Any, small_city: Any
) -> None:
    event, west, east = snowfall["event"], snowfall["west"], snowfall["east"]
    assert east.road_segment == small_city.road_east
    stored = evaluate_snow_event(event_id=event.pk, actor=personas.supervisor)
    by_contract = {e.contract_id: e for e in stored}
    a, b = small_city.contract_a, small_city.contract_b
    assert set(by_contract) == {a.pk, b.pk}  # road west is in A's lot, road east in B's
    e = by_contract[a.pk]
    assert e.scheme.family.code == "snow-removal"
    (road,) = e.inputs["roads"]
    assert road["inspection"] == west.pk
    assert road["clear"]["derived"] == 2  # 30 h after the deadline, snow left
    assert road["clear"]["recorded"] is None
    assert road["haul"]["days"] == "0.00"  # no pile found: not late for haul-out
    assert e.inputs["components"]["clearing"]["findings"] == {
        "clear_late": "2.00", "haul_late": "0.00",
    }  # fmt: skip
    assert e.inputs["components"]["acceptance"]["findings"] == {"no_black_surface": "5.00"}
    assert e.inputs["evidence"]["clearing"] == {"clear_late": [west.pk]}
    # clearing 100 − 2·5 = 90 (70 %), acceptance 100 − 5·3 = 85 (30 %) → 63 + 25.5
    assert e.score == D("88.50")
    fee = (a.monthly_fee * D("0.10")).quantize(D("0.01"))
    assert e.fee == fee
    # 1.5 points below 90 × 5 % of the event's fee base
    assert e.deduction == (fee * D("1.5") * D("0.05")).quantize(D("0.01"))
    assert e.deduction > 0
    other = by_contract[b.pk]
    assert other.inputs["roads"][0]["haul"]["recorded"] == "1.00"  # recorded by the inspector
    assert other.inputs["roads"][0]["haul"]["days"] == "1.00"
    assert other.score == D("97.90")  # haul-out 1 day late (recorded): 100 − 3 = 97 at 70 %
    assert other.deduction == 0
    assert AuditEvent.objects.filter(code="evaluation.snow_event.evaluated").count() == 1


def test_reevaluation_keeps_the_history(snowfall: dict[str, Any], personas: Any) -> None:
    event = snowfall["event"]
    first = evaluate_snow_event(event_id=event.pk, actor=personas.supervisor)[0]
    again = evaluate_snow_event(event_id=event.pk, actor=personas.supervisor)[0]
    assert first.deduction > 0
    assert again.pk == first.pk  # unchanged: no new revision
    policy = policy_get()
    policy.snow_fee_percent = D(20)  # the fee base is editable data
    policy.save()
    second = evaluate_snow_event(event_id=event.pk, actor=personas.supervisor)[0]
    assert second.revision == 2
    assert second.deduction == first.deduction * 2
    first.refresh_from_db()
    assert not first.is_current
    assert SnowEvaluation.objects.filter(event=event).count() == 4  # two contracts, r1 and r2
    assert SnowEvaluation.objects.filter(event=event, is_current=True).count() == 2


def test_refusals(personas: Any, small_city: Any) -> None:
    now = timezone.now()
    fresh = snow_event_create(
        name="刚停的雪", started_at=now - dt.timedelta(hours=5),
        ended_at=now - dt.timedelta(hours=1), level="moderate", actor=personas.supervisor,
    )  # fmt: skip
    with pytest.raises(DomainError) as exc:
        evaluate_snow_event(event_id=fresh.pk, actor=personas.supervisor)
    assert exc.value.code == "deadlines_open"
    old = snow_event_create(
        name="无验收", started_at=dt.datetime(2026, 10, 1, 2, tzinfo=TZ),
        ended_at=dt.datetime(2026, 10, 1, 8, tzinfo=TZ), level="light", actor=personas.supervisor,
    )  # fmt: skip
    with pytest.raises(DomainError) as exc:
        evaluate_snow_event(event_id=old.pk, actor=personas.supervisor)
    assert exc.value.code == "no_inspections"
    with pytest.raises(NotFound):
        evaluate_snow_event(event_id=old.pk, actor=personas.operator_a)
    with pytest.raises(NotFound):
        evaluate_snow_event(event_id=999999, actor=personas.supervisor)


def test_the_month_shows_the_snow_line(
    snowfall: dict[str, Any], personas: Any, small_city: Any
) -> None:
    a = small_city.contract_a
    before = next(e for e in evaluate_month(month=OCT).evaluated if e.contract_id == a.pk)
    assert "snow_events" not in before.inputs
    snow = evaluate_snow_event(event_id=snowfall["event"].pk, actor=personas.supervisor)[0]
    after = next(e for e in evaluate_month(month=OCT).evaluated if e.contract_id == a.pk)
    assert after.pk == before.pk  # the open month is recomputed in place
    assert [line["id"] for line in after.inputs["snow_events"]] == [snow.pk]
    assert after.result["snow"]["deduction"] == str(snow.deduction)
    assert after.deduction == before.deduction + snow.deduction
    assert after.payable == before.payable - snow.deduction
    assert after.score == before.score  # a separate payment line, not part of the score
    # the PDF report's payment computation shows the snow line and the final figures
    pdf = operator_report_pdf(after, compress=False)
    assert f"({money(snow.deduction)}) Tj".encode() in pdf
    assert f"({money(after.payable)}) Tj".encode() in pdf
    page = client_for(personas.supervisor).get(reverse("evaluations:evaluation", args=[after.pk]))
    assert reverse("evaluations:snow-evaluation", args=[snow.pk]) in page.content.decode()


def test_pages_and_access(
    snowfall: dict[str, Any],
    personas: Any,
    small_city: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    event = snowfall["event"]
    url = reverse("evaluations:snow-evaluate", args=[event.pk])
    assert client_for(personas.inspector).post(url).status_code == 404
    assert client_for(personas.operator_a).post(url).status_code == 404
    assert not SnowEvaluation.objects.exists()
    supervisor = client_for(personas.supervisor)
    with django_capture_on_commit_callbacks(execute=True):  # the background job runs at commit
        response = supervisor.post(url)
    assert response.status_code == 302
    assert response["Location"] == reverse("inspections:snow-detail", args=[event.pk])
    assert supervisor.get(url).status_code == 405
    e = SnowEvaluation.objects.get(contract=small_city.contract_a)
    detail_url = reverse("evaluations:snow-evaluation", args=[e.pk])
    event_page = supervisor.get(reverse("inspections:snow-detail", args=[event.pk])).content
    assert detail_url in event_page.decode()
    assert str(e.score).encode() in event_page
    drill = supervisor.get(detail_url)
    assert drill.status_code == 200
    body = drill.content.decode()
    assert reverse("inspections:detail", args=[snowfall["west"].pk]) in body
    assert "88.50" in body
    # Operators and the mayor's office see snow results once the month is published.
    assert client_for(personas.operator_a).get(detail_url).status_code == 404
    assert client_for(personas.mayor).get(detail_url).status_code == 404
    month = timezone.localtime(event.ended_at).date().replace(day=1)
    Period.objects.update_or_create(month=month, defaults={"status": PeriodStatus.PUBLISHED})
    assert client_for(personas.operator_a).get(detail_url).status_code == 200
    assert client_for(personas.mayor).get(detail_url).status_code == 200
    assert client_for(personas.operator_b).get(detail_url).status_code == 404
    assert client_for(personas.inspector).get(detail_url).status_code == 404
    # a refused evaluation is a message on the event page, not an error page
    fresh = snow_event_create(
        name="刚停的雪", started_at=timezone.now() - dt.timedelta(hours=5),
        ended_at=timezone.now() - dt.timedelta(hours=1), level="moderate",
        actor=personas.supervisor,
    )  # fmt: skip
    refused = supervisor.post(reverse("evaluations:snow-evaluate", args=[fresh.pk]), follow=True)
    assert refused.status_code == 200
    assert b"once its last deadline" in refused.content
    assert supervisor.post(reverse("evaluations:snow-evaluate", args=[999999])).status_code == 404


def test_demo_step_evaluates_the_snowfall(
    snowfall: dict[str, Any], personas: Any, small_city: Any
) -> None:
    get_user_model().objects.filter(pk=personas.supervisor.pk).update(username=DEMO_SUPERVISOR)
    with time_machine.travel(at(2026, 12, 5, 10, 0), tick=False):
        summary = evaluations_step(None)
        assert "十月中雪" in summary
        evaluations_step(None)  # again: the event is not evaluated twice
    current = SnowEvaluation.objects.filter(event=snowfall["event"])
    assert current.count() == 2
    october = Evaluation.objects.get(
        period__month=OCT, contract=small_city.contract_a, is_current=True
    )
    assert october.period.is_frozen  # published with its snow line
    assert [line["event"] for line in october.inputs["snow_events"]] == ["十月中雪"]
    # the published month carries the event: re-evaluating it is refused (appeals only)
    with pytest.raises(Conflict):
        evaluate_snow_event(event_id=snowfall["event"].pk, actor=personas.supervisor)
