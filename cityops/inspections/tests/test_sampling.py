"""The stratified draw: reproducible from its seed, sizes per stratum, re-checkable plans."""

from __future__ import annotations

from decimal import Decimal as D
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cityops.core.errors import Conflict, PermissionDenied
from cityops.core.models import AuditEvent
from cityops.inspections import sampling
from cityops.inspections.models import Inspection, Kind, Status
from cityops.inspections.services.plans import plan_draw, plan_recheck
from cityops.inspections.tests.conftest import OCT

POPULATION = {
    "road/main/1": [f"road:{i}" for i in range(1, 21)],
    "road/branch/3": [f"road:{i}" for i in range(21, 26)],
    "green/1": ["green:1", "green:2"],
}


def test_same_seed_same_draw_and_other_seed_other_draw() -> None:
    one = sampling.draw(POPULATION, seed=42, rate=D("0.3"), minimum=1)
    assert one == sampling.draw(POPULATION, seed=42, rate=D("0.3"), minimum=1)
    assert one != sampling.draw(POPULATION, seed=43, rate=D("0.3"), minimum=1)
    # ceil(0.3 × 20) = 6, ceil(0.3 × 5) = 2, ceil(0.3 × 2) = 1
    assert sum(k.startswith("road:") and int(k[5:]) <= 20 for k in one) == 6
    assert len(one) == 6 + 2 + 1


def test_order_of_the_population_does_not_change_the_draw() -> None:
    shuffled = {k: list(reversed(v)) for k, v in reversed(list(POPULATION.items()))}
    assert sampling.draw(shuffled, seed=7, rate=D("0.5"), minimum=1) == sampling.draw(
        POPULATION, seed=7, rate=D("0.5"), minimum=1
    )


@given(
    sizes=st.lists(st.integers(min_value=0, max_value=40), max_size=6),
    rate=st.decimals(min_value=0, max_value=1, places=3),
    minimum=st.integers(min_value=0, max_value=5),
    seed=st.integers(min_value=0, max_value=2**62 - 1),
)
def test_each_stratum_gets_its_share_and_never_more_than_it_has(
    sizes: list[int], rate: D, minimum: int, seed: int
) -> None:
    strata = {f"s{i}": [f"a{i}-{j}" for j in range(n)] for i, n in enumerate(sizes)}
    drawn = sampling.draw(strata, seed=seed, rate=rate, minimum=minimum)
    assert len(drawn) == len(set(drawn))
    for members in strata.values():
        got = [a for a in drawn if a in set(members)]
        assert len(got) == sampling.sample_size(len(members), rate=rate, minimum=minimum)
        assert len(got) <= len(members)


@pytest.mark.usefixtures("schemes")
def test_plan_records_seed_and_draw_and_can_be_rechecked(small_city: Any, personas: Any) -> None:
    plan = plan_draw(lot_id=small_city.lot_a.pk, month=OCT, actor=personas.supervisor, seed=99)
    assert plan.seed == 99
    assert plan.strata == {"road/secondary/1": [f"road:{small_city.road_west.pk}"]}
    assert plan.drawn == [f"road:{small_city.road_west.pk}"]
    assert plan_recheck(plan)
    inspection = Inspection.objects.get(plan=plan)
    assert (inspection.kind, inspection.status) == (Kind.PLANNED, Status.PLANNED)
    assert inspection.road_segment_id == small_city.road_west.pk
    assert inspection.scheme.family.code == "road-cleaning"
    assert AuditEvent.objects.filter(code="inspection.plan.drawn").count() == 1
    plan.drawn = []  # tampered record: the re-check notices
    assert not plan_recheck(plan)
    with pytest.raises(Conflict):
        plan_draw(lot_id=small_city.lot_a.pk, month=OCT, actor=personas.supervisor, seed=1)


@pytest.mark.usefixtures("schemes")
@pytest.mark.parametrize("who", ["inspector", "operator_a", "mayor", "dispatcher"])
def test_only_supervisors_draw_plans(small_city: Any, personas: Any, who: str) -> None:
    with pytest.raises(PermissionDenied):
        plan_draw(lot_id=small_city.lot_a.pk, month=OCT, actor=getattr(personas, who), seed=1)
    assert not Inspection.objects.exists()
