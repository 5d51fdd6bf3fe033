"""The demo district: determinism, exact tiling, valid codes, realistic shares, full coverage."""

from __future__ import annotations

import datetime as dt
import itertools
from collections import Counter, defaultdict
from typing import Any

import pytest
import shapely
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone, translation
from hypothesis import given, settings
from hypothesis import strategies as st

from cityops.core import geo
from cityops.core.models import AuditEvent
from cityops.registry import models as m
from cityops.registry.demo import DemoConflict, demo_city_exists, demo_city_load, names
from cityops.registry.demo.assets import plan_assets
from cityops.registry.demo.catalogue import catalogue
from cityops.registry.demo.layout import plan_district
from cityops.registry.validators import (
    validate_component_code,
    validate_grid_code,
    validate_uscc,
)

SMALL = 0.1
PROJ = geo.LocalProjection(names.CENTRE_LON, names.CENTRE_LAT)


def metres(geojson: dict[str, Any]) -> Any:
    return PROJ.project(geo.to_shape(geojson))


# --- the pure plan ----------------------------------------------------------------------------


@settings(max_examples=12, deadline=None)
@given(seed=st.integers(0, 10_000), scale=st.sampled_from([0.25, 0.5, 1.0, 1.5]))
def test_plan_tiles_every_community_and_orders_grids(seed: int, scale: float) -> None:
    plan = plan_district(seed, scale)
    district = plan.shape()
    cells: list[Any] = []
    for c in plan.communities:
        seqs = [(seq, rect) for seq, rect in c.cells()]
        assert [s for s, _ in seqs] == list(range(1, len(seqs) + 1))
        for (_, a), (_, b) in itertools.pairwise(seqs):
            same_row = a.y1 == b.y1
            assert (same_row and b.x0 == a.x1) or (not same_row and b.y1 == a.y0)
        assert len(seqs) <= 999
        cells.extend(r.shape() for _, r in seqs)
    union = shapely.union_all(cells)
    total = sum(cell.area for cell in cells)
    assert total == pytest.approx(district.area, rel=1e-9)  # no overlaps…
    assert union.symmetric_difference(district).area < 1e-6 * district.area  # …and no gaps
    assert all(7_000 < cell.area < 13_000 for cell in cells)
    assets = plan_assets(plan, seed=seed, property_companies=4)
    models = Counter(c.management_model for c in assets.compounds)
    assert 0.15 <= models["none"] / len(assets.compounds) <= 0.25
    # Compounds and green spaces neither overlap each other nor any carriageway.
    areas = [c.rect.shape() for c in assets.compounds] + [g.rect.shape() for g in assets.greens]
    occupied = shapely.union_all(areas)
    assert sum(a.area for a in areas) == pytest.approx(occupied.area, rel=1e-9)
    roads = [r.shape().buffer(r.width_m / 2, cap_style="flat") for r in plan.roads]
    assert occupied.intersection(shapely.union_all(roads)).area < 1e-6


def test_plan_scale_multiplies_area_and_assets() -> None:
    one, four = plan_district(7, 1.0), plan_district(7, 4.0)
    assert 3.0 < four.shape().area / one.shape().area < 5.2
    assert 3.0 < len(four.roads) / len(one.roads) < 5.2


# --- the default scale, once -------------------------------------------------------------------


@pytest.mark.django_db
def test_default_scale_district_is_complete_and_consistent() -> None:
    summary = demo_city_load()
    assert summary.created
    district = m.District.objects.get(code=names.DISTRICT_CODE)
    counts = summary.counts
    assert 5 <= counts["streets"] <= 8
    assert 25 <= counts["communities"] <= 40
    assert 200 <= counts["road_segments"] <= 600
    assert 2_000 <= counts["components"] <= 10_000
    assert 120 <= counts["compounds"] <= 200
    assert counts["green_spaces"] >= 30

    _assert_grids_tile(district)
    _assert_codes_valid()
    _assert_compounds_realistic()
    _assert_lots_cover(district)
    _assert_marked_as_demo()


def _assert_grids_tile(district: m.District) -> None:
    dist = metres(district.geometry)
    grids = list(m.Grid.objects.select_related("community"))
    shapes = [metres(g.geometry) for g in grids]
    union = shapely.union_all(shapes)
    assert union.area == pytest.approx(dist.area, rel=1e-3)
    assert dist.difference(union).area < 1e-6 * dist.area  # no gaps
    assert sum(s.area for s in shapes) == pytest.approx(union.area, rel=1e-6)  # no overlaps
    assert all(7_000 < g.area_m2 < 13_000 for g in grids)
    by_community: dict[str, list[tuple[str, Any]]] = defaultdict(list)
    for g, s in zip(grids, shapes, strict=True):
        by_community[g.community.code].append((g.code, s))
        assert validate_grid_code(g.code, community_code=g.community.code) == g.code
    for community in m.Community.objects.all():
        cells = sorted(by_community[community.code], key=lambda item: item[0])
        cshape = metres(community.geometry)
        for (_, a), (_, b) in itertools.pairwise(cells):
            ay, by = a.centroid.y, b.centroid.y
            # West → east within a row, then the next row to the south.
            assert (abs(ay - by) < 1 and b.centroid.x > a.centroid.x) or by < ay - 1
        assert all(cshape.buffer(0.05).contains(s) for _, s in cells)


def _assert_codes_valid() -> None:
    orgs = list(m.Organisation.objects.all())
    assert Counter(o.kind for o in orgs)[m.OrganisationKind.OPERATOR] >= 6
    for org in orgs:
        if org.uscc:
            assert validate_uscc(org.uscc) == org.uscc
        org.full_clean()
    assert all(
        o.uscc
        for o in orgs
        if o.kind in (m.OrganisationKind.OPERATOR, m.OrganisationKind.DEPARTMENT)
    )
    components = list(m.Component.objects.select_related("type", "grid"))
    for c in components:
        validate_component_code(
            c.code, admin_code=names.DISTRICT_CODE, major=c.type.major_code, minor=c.type.minor_code
        )
    assert {c.type.major_code for c in components} == {"01", "02", "03", "04", "05", "06"}
    for c in components[:: max(1, len(components) // 40)]:
        c.full_clean()
        assert c.grid is not None
        assert metres(c.grid.geometry).buffer(0.05).contains(metres(c.geometry))
    for model in (m.Street, m.Community, m.Grid, m.RoadSegment, m.GreenSpace, m.Compound):
        for row in model.objects.all()[:20]:
            row.full_clean()


def _assert_compounds_realistic() -> None:
    compounds = list(m.Compound.objects.all())
    models = Counter(c.management_model for c in compounds)
    assert 0.15 <= models[m.ManagementModel.NONE] / len(compounds) <= 0.25
    for other in ("fallback", "trusteeship", "self_managed", "professional"):
        assert models[other] > 0
    assert all(c.households > 0 and c.floor_area_m2 > 0 and c.built_year for c in compounds)
    assert all(c.community_id for c in compounds)
    for c in compounds[:30]:
        assert c.community is not None
        assert metres(c.community.geometry).buffer(0.05).contains(metres(c.geometry))
    # Each managed compound is in its company's property lot, and only there.
    for lot in m.Lot.objects.filter(contract__service_type="property").select_related("contract"):
        assert {c.property_company_id for c in lot.compounds.all()} == {lot.contract.operator_id}
    managed = m.Compound.objects.exclude(property_company=None).count()
    in_lots = m.Lot.compounds.through.objects.count()
    assert managed == in_lots


def _assert_lots_cover(district: m.District) -> None:
    dist = metres(district.geometry)
    today = timezone.localdate()
    for service in ("sanitation", "landscaping", "municipal"):
        lots = list(m.Lot.objects.filter(contract__service_type=service).select_related("contract"))
        assert lots
        shapes = [metres(lot.geometry or {}) for lot in lots]
        union = shapely.union_all(shapes)
        assert dist.difference(union).area < 1e-6 * dist.area  # every point has a lot
        assert sum(s.area for s in shapes) == pytest.approx(union.area, rel=1e-6)
        for lot in lots:
            assert lot.contract.is_active_on(today)
            assert lot.contract.is_active_on(dt.date(today.year + 1, 12, 31))
            lot.contract.full_clean()
            lot.full_clean()
    sanitation = m.Lot.road_segments.through.objects.filter(
        lot__contract__service_type="sanitation"
    )
    assert sorted(sanitation.values_list("roadsegment_id", flat=True)) == sorted(
        m.RoadSegment.objects.values_list("pk", flat=True)
    )
    assert len(m.Lot.objects.filter(contract__service_type="sanitation")) in (2, 3)
    assert m.Lot.objects.get(contract__service_type="landscaping").green_spaces.count() == (
        m.GreenSpace.objects.count()
    )


def _assert_marked_as_demo() -> None:
    for model in (m.City, m.District, m.Street, m.Community, m.Organisation, m.RoadSegment,
                  m.GreenSpace, m.Compound, m.Lot):  # fmt: skip
        assert all(n.endswith(names.SUFFIX) for n in model.objects.values_list("name", flat=True))
    assert all(t.endswith(names.SUFFIX) for t in m.Contract.objects.values_list("title", flat=True))


# --- determinism, idempotency, reset -------------------------------------------------------------


COMPOUND_FIELDS = (
    "code", "name", "community__code", "households", "floor_area_m2", "built_year",
    "management_model", "property_company__name", "geometry",
)  # fmt: skip


COMPOUND_FIELDS = (
    "code", "name", "community__code", "households", "floor_area_m2", "built_year",
    "management_model", "property_company__name", "geometry",
)  # fmt: skip


def snapshot() -> dict[str, list[Any]]:
    return {
        "streets": list(m.Street.objects.values_list("code", "name", "geometry", "area_m2")),
        "communities": list(
            m.Community.objects.values_list("code", "name", "area_class", "geometry")
        ),
        "grids": list(m.Grid.objects.values_list("code", "geometry", "responsible_org__name")),
        "orgs": list(
            m.Organisation.objects.order_by("name").values_list(
                "name", "kind", "uscc", "street__code", "community__code"
            )
        ),
        "roads": list(
            m.RoadSegment.objects.values_list(
                "code",
                "name",
                "cleaning_grade",
                "road_class",
                "width_m",
                "street__code",
                "geometry",
            )
        ),
        "greens": list(
            m.GreenSpace.objects.values_list("code", "name", "maintenance_grade", "geometry")
        ),
        "compounds": list(m.Compound.objects.values_list(*COMPOUND_FIELDS)),
        "components": list(
            m.Component.objects.values_list(
                "code", "grid__code", "owner__name", "maintainer__name", "geometry"
            )
        ),
        "contracts": list(
            m.Contract.objects.values_list(
                "number", "title", "operator__name", "service_type", "start_date", "monthly_fee"
            )
        ),
        "lots": list(m.Lot.objects.values_list("code", "name", "geometry", "area_m2")),
        "lot_roads": sorted(
            m.Lot.road_segments.through.objects.values_list("lot__code", "roadsegment__code")
        ),
    }


@pytest.mark.django_db
def test_same_seed_gives_identical_data_and_another_seed_does_not() -> None:
    demo_city_load(seed=11, scale=SMALL)
    first = snapshot()
    assert demo_city_load(seed=11, scale=SMALL, reset=True).created
    assert snapshot() == first
    demo_city_load(seed=12, scale=SMALL, reset=True)
    other = snapshot()
    assert other["grids"] != first["grids"]
    assert other["components"] != first["components"]


@pytest.mark.django_db
def test_second_load_changes_nothing() -> None:
    demo_city_load(seed=3, scale=SMALL)
    before = snapshot()
    version = m.RegistryVersion.objects.get().version
    summary = demo_city_load(seed=3, scale=SMALL)
    assert not summary.created
    assert snapshot() == before
    assert m.RegistryVersion.objects.get().version == version
    assert AuditEvent.objects.filter(code="registry.demo.loaded").count() == 1


@pytest.mark.django_db
def test_load_bumps_the_registry_version_once_and_audits() -> None:
    m.RegistryVersion.objects.get_or_create(pk=1)
    version = m.RegistryVersion.objects.get().version
    demo_city_load(seed=3, scale=SMALL)
    assert m.RegistryVersion.objects.get().version == version + 1
    event = AuditEvent.objects.get(code="registry.demo.loaded")
    assert event.data["seed"] == 3
    assert event.data["counts"]["grids"] == m.Grid.objects.count()


@pytest.mark.django_db
def test_reset_removes_demo_memberships_and_keeps_other_data() -> None:
    from cityops.accounts.demo import demo_users_ensure
    from cityops.accounts.models import Membership, Role
    from cityops.accounts.services import user_ensure
    from cityops.registry.testing import make_uscc

    real = m.Organisation.objects.create(
        kind=m.OrganisationKind.OPERATOR, operator_type="sanitation", name="真实环卫公司",
        uscc=make_uscc(77),
    )  # fmt: skip
    staff = user_ensure(
        username="real", password="x" * 12, role=Role.OPERATOR_STAFF, organisation=real
    )
    demo_city_load(seed=5, scale=SMALL)
    users = demo_users_ensure()
    scoped = Membership.objects.exclude(organisation=None, street=None, community=None)
    demo_scoped = scoped.exclude(user=staff).count()
    assert demo_scoped >= 10
    summary = demo_city_load(seed=5, scale=SMALL, reset=True)
    assert summary.deleted["memberships"] == demo_scoped
    assert summary.deleted["grids"] == m.Grid.objects.count()
    assert Membership.objects.filter(user=staff, organisation=real).exists()
    assert all(type(u).objects.filter(pk=u.pk).exists() for u in users)
    assert m.ComponentType.objects.count() == len(catalogue())  # the shared catalogue stays


@pytest.mark.django_db
def test_load_refuses_a_real_district_with_the_demo_code(small_city: Any) -> None:
    before = m.Grid.objects.count()
    with pytest.raises(DemoConflict):
        demo_city_load(scale=SMALL)
    with pytest.raises(CommandError, match="150502"):
        call_command("load_demo_city", "--scale", "0.1", "--no-progress")
    assert m.Grid.objects.count() == before
    assert not m.Street.objects.filter(name__endswith=names.SUFFIX).exists()


@pytest.mark.django_db
def test_reset_refuses_and_deletes_nothing_when_real_records_use_demo_rows() -> None:
    demo_city_load(seed=9, scale=SMALL)
    operator = m.Organisation.objects.filter(kind=m.OrganisationKind.OPERATOR).first()
    assert operator is not None
    m.Contract.objects.create(
        number="REAL-1",
        title="真实合同",
        operator=operator,
        service_type="other",
        start_date=dt.date(2026, 1, 1),
        end_date=dt.date(2026, 12, 31),
        monthly_fee=1,
    )
    before = snapshot()
    with pytest.raises(DemoConflict, match=r"registry\.Contract"):
        demo_city_load(seed=9, scale=SMALL, reset=True)
    assert snapshot() == before
    assert demo_city_exists()


@pytest.mark.django_db
def test_command_loads_once_then_reports_and_rejects_bad_scale() -> None:
    out = _call("--scale", "0.1", "--seed", "4")
    assert "seed 4" in out
    assert m.District.objects.filter(code=names.DISTRICT_CODE).exists()
    grids = m.Grid.objects.count()
    out = _call("--scale", "0.1")
    assert "--reset" in out
    assert m.Grid.objects.count() == grids
    with pytest.raises(CommandError, match="scale"):
        _call("--scale", "lots")
    with pytest.raises(CommandError):
        _call("--scale", "0", "--reset")


def _call(*args: str) -> str:
    from io import StringIO

    out = StringIO()
    with translation.override("en"):
        call_command("load_demo_city", *args, "--no-progress", stdout=out, stderr=StringIO())
    return out.getvalue()
