"""Coverage enters the monthly evaluation as a measured finding, explained and linked down to
the segments missed on which day."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import time_machine
from django.test import Client
from django.utils import translation

from cityops.evaluations.demo import BANDS, PAYMENT
from cityops.evaluations.models import Evaluation, SchemeFamily
from cityops.evaluations.runs.explain import describe_step
from cityops.evaluations.runs.month import evaluate_month
from cityops.evaluations.schemes.services import scheme_create, scheme_publish
from cityops.registry.models import ServiceType
from cityops.registry.testing import SmallCity
from cityops.vehicles.measures import coverage_measures
from cityops.vehicles.models import SegmentDay, VehicleKind, WorkPlan

NOV = dt.date(2026, 11, 1)


def _month_of_coverage(city: SmallCity) -> None:
    plan = WorkPlan.objects.create(lot=city.lot_a, kind=VehicleKind.SWEEPER)
    now = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)
    rows = []
    for d in range(30):
        # 3 passes planned (grade 1) every day; 3 done, except 2 on days 5 and 6, 0 on day 20.
        done = {4: 2, 5: 2, 19: 0}.get(d, 3)
        rows.append(
            SegmentDay(
                plan=plan,
                segment=city.road_west,
                day=NOV + dt.timedelta(days=d),
                length_m=645,
                covered_m=645 if done else 0,
                passes=done,
                planned_passes=3,
                computed_at=now,
            )
        )
    SegmentDay.objects.bulk_create(rows)


def test_completion_rate_and_shortfall_per_contract(small_city: SmallCity) -> None:
    _month_of_coverage(small_city)
    found = coverage_measures(
        contract_ids=[small_city.contract_a.pk, small_city.contract_b.pk], month=NOV
    )
    assert list(found) == [small_city.contract_a.pk]
    (m,) = found[small_city.contract_a.pk]
    # 90 planned, 85 done → 94.44 % → 0.56 points short of 95 %.
    assert m.item == "mechanised_short"
    assert m.quantity == Decimal("0.56")
    with translation.override("en"):
        assert "85 of 90" in describe_step(m.steps[0].as_dict())
    assert m.url.endswith(f"contract={small_city.contract_a.pk}&month=2026-11")


def test_the_monthly_run_scores_it_and_the_operator_sees_the_missed_days(
    small_city: SmallCity, personas: Any
) -> None:
    _month_of_coverage(small_city)
    family = SchemeFamily.objects.create(
        code="hw-telematics", name="环卫（车载）", service_type=ServiceType.SANITATION
    )
    spec = {
        "components": [
            {
                "code": "mechanised", "name": "机械化作业", "kind": "checklist", "weight": 100,
                "items": [{"code": "mechanised_short", "name": "机械化作业率低于95%（每差1%）",
                           "points": 3}],
            }
        ],
        "bands": BANDS,
        "payment": PAYMENT,
    }  # fmt: skip
    scheme = scheme_create(family_id=family.pk, spec=spec, valid_from=NOV)
    scheme_publish(scheme_id=scheme.pk, actor=None)
    with time_machine.travel(dt.datetime(2026, 12, 2, tzinfo=dt.UTC), tick=False):
        evaluate_month(month=NOV)
    evaluation = Evaluation.objects.get(contract=small_city.contract_a, is_current=True)
    (component,) = evaluation.result["components"]
    (item,) = component["items"]
    assert (Decimal(item["quantity"]), Decimal(item["deduction"])) == (
        Decimal("0.56"),
        Decimal("1.68"),
    )
    assert evaluation.score == Decimal("98.32")
    url = evaluation.inputs["measures"][0]["url"]
    client = Client()
    client.force_login(personas.operator_a)
    page = client.get(url)
    assert page.status_code == 200
    assert [(s.day.day, s.passes) for s in page.context["short"]] == [(5, 2), (6, 2), (20, 0)]
    client.force_login(personas.operator_b)
    assert client.get(url).status_code == 404
    assert client.get(url.replace("2026-11", "2026-13")).status_code == 400
