"""The pages over HTTP: who may open what (404 outside scope), forms, bad input → 400."""

from __future__ import annotations

import base64
from decimal import Decimal as D
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from cityops.evaluations.models import SnowEvent
from cityops.inspections.models import Inspection, InspectionPlan, Status
from cityops.inspections.services.inspections import (
    FindingInput,
    inspection_create,
    inspection_record,
    inspection_submit,
)
from cityops.inspections.services.plans import inspection_assign, plan_draw
from cityops.inspections.tests.conftest import OCT, WEST_ROAD, png

pytestmark = pytest.mark.usefixtures("schemes")


def client_for(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


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


def submitted(inspection: Inspection, personas: Any) -> Inspection:
    inspection_record(
        inspection_id=inspection.pk, actor=personas.inspector, findings=[], operator_signer="李四"
    )
    return inspection_submit(
        inspection_id=inspection.pk,
        actor=personas.inspector,
        inspector_signature=png(),
        operator_signature=png(),
    )


def test_supervisor_pages_refuse_other_roles(personas: Any, small_city: Any) -> None:
    urls = [reverse("inspections:plans"), reverse("inspections:snow")]
    for who in ("inspector", "operator_a", "dispatcher", "citizen", "mayor"):
        for url in urls:
            assert client_for(getattr(personas, who)).get(url).status_code == 404, (who, url)
    sup = client_for(personas.supervisor)
    page = sup.get(reverse("inspections:plans") + "?month=2026-10")
    assert page.status_code == 200
    assert "HW-A-1" in page.content.decode()
    assert client_for(personas.admin).get(reverse("inspections:snow")).status_code == 200


def test_supervisor_draws_a_plan_and_assigns(personas: Any, small_city: Any) -> None:
    sup = client_for(personas.supervisor)
    r = sup.post(
        reverse("inspections:plans"), {"month": "2026-10", "lot": small_city.lot_a.pk, "seed": "77"}
    )
    plan = InspectionPlan.objects.get(lot=small_city.lot_a)
    assert r.status_code == 302
    assert plan.seed == 77
    assert (
        sup.post(
            reverse("inspections:plans"),
            {"month": "2026-10", "lot": small_city.lot_a.pk, "seed": "x"},
        ).status_code
        == 400
    )
    assert (
        sup.post(
            reverse("inspections:plans"), {"month": "2026-10", "lot": small_city.lot_a.pk}
        ).status_code
        == 409
    )
    page = sup.get(reverse("inspections:plan", args=[plan.pk]))
    assert "77" in page.content.decode()
    row = plan.inspections.get()
    sup.post(
        reverse("inspections:assign"),
        {
            "inspection": [row.pk],
            "inspector": personas.inspector.pk,
            "next": "https://evil.example/",
        },
    )
    row.refresh_from_db()
    assert row.inspector_id == personas.inspector.pk
    # assigning to a non-inspector is refused
    sup.post(
        reverse("inspections:assign"), {"inspection": [row.pk], "inspector": personas.operator_a.pk}
    )
    row.refresh_from_db()
    assert row.inspector_id == personas.inspector.pk


def test_scoping_of_the_detail_page(planned: Inspection, personas: Any) -> None:
    url = reverse("inspections:detail", args=[planned.pk])
    assert client_for(personas.inspector).get(url).status_code == 200
    assert client_for(personas.supervisor).get(url).status_code == 200
    assert client_for(personas.mayor).get(url).status_code == 200
    # not submitted yet: invisible to the operator, and always to the other operator
    for who in ("operator_a", "operator_b", "landscaper", "citizen", "dispatcher"):
        assert client_for(getattr(personas, who)).get(url).status_code == 404, who
    submitted(planned, personas)
    assert client_for(personas.operator_a).get(url).status_code == 200
    assert client_for(personas.operator_b).get(url).status_code == 404
    other = client_for(personas.inspector)
    other.logout()
    assert other.get(url).status_code == 302  # to the sign-in page


def test_unannounced_is_invisible_to_the_operator_until_submitted(
    personas: Any, small_city: Any
) -> None:
    secret = inspection_create(
        kind="unannounced",
        asset=f"road:{small_city.road_west.pk}",
        actor=personas.inspector,
        month=OCT,
    )
    inspection_record(inspection_id=secret.pk, actor=personas.inspector, findings=[])
    opa = client_for(personas.operator_a)
    listing = reverse("inspections:list") + "?month=2026-10"
    assert f">{secret.pk}<" not in opa.get(listing).content.decode()
    assert opa.get(reverse("inspections:detail", args=[secret.pk])).status_code == 404
    inspection_submit(inspection_id=secret.pk, actor=personas.inspector)
    assert f">{secret.pk}<" in opa.get(listing).content.decode()
    assert opa.get(reverse("inspections:detail", args=[secret.pk])).status_code == 200


def test_inspector_fills_and_submits_the_form(planned: Inspection, personas: Any) -> None:
    c = client_for(personas.inspector)
    url = reverse("inspections:form", args=[planned.pk])
    page = c.get(url)
    assert page.status_code == 200
    assert "q-roadway-exposed_garbage" in page.content.decode()
    sig = "data:image/png;base64," + base64.b64encode(png()).decode()
    data = {
        "q-roadway-exposed_garbage": "2",
        "n-roadway-exposed_garbage": "两处",
        **{f"s-roadway-1-left-{k}": "4" for k in range(4)},
        "rater": "张三",
        "lon": str(WEST_ROAD[0]),
        "lat": str(WEST_ROAD[1] + 0.004),
        "position_source": "gps",
        "operator_signer": "李四",
        "inspector_signature_data": sig,
        "operator_signature_data": sig,
        "submit": "1",
    }
    bad = c.post(url, {**data, "q-roadway-exposed_garbage": "lots"})
    assert bad.status_code == 400
    half = c.post(url, {**data, "s-roadway-1-left-3": ""})
    assert half.status_code == 400
    r = c.post(url, data)
    assert r.status_code == 302, r.content.decode()[:2000]
    planned.refresh_from_db()
    assert planned.status == Status.SUBMITTED
    assert planned.far_from_asset
    assert planned.findings.get().quantity == 2
    assert planned.sections.get().ratings == [4, 4, 4, 4]
    # after submit the form only redirects to the detail; a POST changes nothing
    assert c.post(url, {**data, "q-roadway-exposed_garbage": "9"}).status_code == 302
    assert planned.findings.get().quantity == 2
    detail = c.get(reverse("inspections:detail", args=[planned.pk])).content.decode()
    assert "远离设施" in detail  # the far flag, in the default language


def test_other_inspector_cannot_open_the_form(planned: Inspection, personas: Any) -> None:
    from cityops.accounts.models import Role
    from cityops.accounts.services import user_ensure

    other = user_ensure(username="insp2", password="x-pass-123456", role=Role.INSPECTOR)
    assert client_for(other).get(reverse("inspections:form", args=[planned.pk])).status_code == 404


def test_snow_event_pages(personas: Any, small_city: Any) -> None:
    sup = client_for(personas.supervisor)
    r = sup.post(
        reverse("inspections:snow"),
        {
            "name": "11月暴雪",
            "level": "moderate",
            "started_at": "2026-11-10T02:00",
            "ended_at": "2026-11-10T20:00",
            "amount_mm": "6.5",
        },
    )
    assert r.status_code == 302
    event = SnowEvent.objects.get()
    assert event.deadlines["main"] == {"clear_hours": 6, "haul_hours": 120}
    backwards = sup.post(
        reverse("inspections:snow"),
        {
            "name": "x",
            "level": "light",
            "started_at": "2026-11-10T20:00",
            "ended_at": "2026-11-10T02:00",
        },
    )
    assert backwards.status_code == 400
    url = reverse("inspections:snow-detail", args=[event.pk])
    assert sup.post(url, {"clear-main": "4", "haul-main": "48"}).status_code == 302
    event.refresh_from_db()
    assert event.deadlines["main"] == {"clear_hours": 4, "haul_hours": 48}
    assert sup.post(url, {"clear-main": "50", "haul-main": "10"}).status_code == 400
    sup.post(reverse("inspections:snow-plan", args=[event.pk]))
    roads = set(event.inspections.values_list("road_segment_id", flat=True))
    assert roads == {small_city.road_west.pk, small_city.road_east.pk}
    assert all(i.scheme.family.code == "snow-removal" for i in event.inspections.all())
    assert sup.get(url).status_code == 200


def test_list_and_plan_pages_have_bounded_queries(
    personas: Any, small_city: Any, django_assert_max_num_queries: Any
) -> None:
    for lot in (small_city.lot_a, small_city.lot_b, small_city.lot_green):
        plan_draw(lot_id=lot.pk, month=OCT, actor=personas.supervisor, seed=lot.pk)
    for _k in range(5):
        inspection_create(
            kind="ad_hoc",
            asset=f"road:{small_city.road_east.pk}",
            actor=personas.inspector,
            month=OCT,
        )
    sup = client_for(personas.supervisor)
    sup.get(reverse("inspections:list") + "?month=2026-10")  # warm the session and caches
    with django_assert_max_num_queries(12):
        page = sup.get(reverse("inspections:list") + "?month=2026-10")
    assert page.content.decode().count("<tr><td><a href=") == 8
    with django_assert_max_num_queries(12):
        assert sup.get(reverse("inspections:plans") + "?month=2026-10").status_code == 200


def test_back_office_pages_open(personas: Any) -> None:
    admin = client_for(personas.admin)
    personas.admin.is_staff = personas.admin.is_superuser = True
    personas.admin.save()
    for name in ("inspectionsettings", "snowdeadline", "inspection", "inspectionplan"):
        url = reverse(f"admin:inspections_{name}_changelist")
        assert admin.get(url).status_code == 200, name


def test_forms_render_for_every_kind_of_inspection(personas: Any, small_city: Any) -> None:
    from cityops.inspections.services.snow import snow_acceptance_plan, snow_event_create

    green = plan_draw(lot_id=small_city.lot_green.pk, month=OCT, actor=personas.supervisor, seed=1)
    event = snow_event_create(
        name="初雪",
        started_at=green.created_at,
        ended_at=green.created_at,
        level="light",
        actor=personas.supervisor,
    )
    snow_acceptance_plan(event_id=event.pk, actor=personas.supervisor)
    rows = [green.inspections.get(), event.inspections.order_by("id").first()]
    inspection_assign(
        inspection_ids=[r.pk for r in rows if r],
        inspector_id=personas.inspector.pk,
        actor=personas.supervisor,
    )
    c = client_for(personas.inspector)
    for row in rows:
        assert row is not None
        page = c.get(reverse("inspections:form", args=[row.pk]))
        assert page.status_code == 200
        html = page.content.decode()
        assert "s-roadway" not in html  # no sensory grid outside road cleaning
        assert "data-signature" in html
    assert "道线不可见" in html  # the snow scheme's acceptance items
    assert client_for(personas.supervisor).get(reverse("inspections:mine")).status_code == 200


def test_supervisor_corrects_through_the_page(planned: Inspection, personas: Any) -> None:
    inspection_record(
        inspection_id=planned.pk,
        actor=personas.inspector,
        findings=[FindingInput("roadway", "exposed_garbage", D(3))],
        operator_signer="李四",
    )
    inspection_submit(
        inspection_id=planned.pk,
        actor=personas.inspector,
        inspector_signature=png(),
        operator_signature=png(),
    )
    finding = planned.findings.get()
    url = reverse("inspections:correct", args=[planned.pk])
    sup = client_for(personas.supervisor)
    for bad in ("-1", "NaN", "x"):
        sup.post(url, {f"q-{finding.pk}": bad, "reason": "复核"})
        finding.refresh_from_db()
        assert finding.quantity == 3, bad
    assert client_for(personas.inspector).post(url, {f"q-{finding.pk}": "1", "reason": "x"})
    finding.refresh_from_db()
    assert finding.quantity == 3  # an inspector cannot correct
    sup.post(url, {f"q-{finding.pk}": "1", "reason": "复核照片只有一处"})
    finding.refresh_from_db()
    assert finding.quantity == 1
    assert client_for(personas.operator_b).post(url, {"reason": "x"}).status_code == 404


def test_navigation_links_by_role(personas: Any) -> None:
    home = reverse("console:home")
    mine, plans = reverse("inspections:mine"), reverse("inspections:plans")
    listing = reverse("inspections:list")
    html = client_for(personas.inspector).get(home).content.decode()
    assert f'href="{mine}"' in html
    assert f'href="{plans}"' not in html
    html = client_for(personas.supervisor).get(home).content.decode()
    assert f'href="{plans}"' in html
    assert f'href="{listing}"' in html
    html = client_for(personas.operator_a).get(home).content.decode()
    assert f'href="{listing}"' in html
    assert f'href="{plans}"' not in html


def test_photo_originals_only_through_the_scoped_view(
    planned: Inspection, personas: Any, settings: Any
) -> None:
    from pathlib import Path

    from cityops.inspections.tests.test_workflow import record_and_submit

    settings.DEBUG = False
    done = record_and_submit(planned, personas)
    photo = done.photos.get()
    assert (Path(settings.CITYOPS_PRIVATE_MEDIA_ROOT) / photo.original.name).is_file()
    assert not (Path(settings.MEDIA_ROOT) / photo.original.name).exists()
    original = reverse("inspections:photo-original", args=[done.pk, photo.pk])
    page = client_for(personas.supervisor).get(reverse("inspections:detail", args=[done.pk]))
    assert original in page.content.decode()
    response = client_for(personas.supervisor).get(original)
    assert response.status_code == 200
    with photo.original.open("rb") as fh:
        assert b"".join(response.streaming_content) == fh.read()  # type: ignore[attr-defined]
    # The operator sees the inspection but only the copy without metadata; others nothing.
    assert client_for(personas.operator_a).get(original).status_code == 404
    assert client_for(personas.operator_b).get(original).status_code == 404
