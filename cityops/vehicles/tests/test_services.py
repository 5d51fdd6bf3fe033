"""The register's CSV import and the daily coverage from stored positions."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import translation

from cityops.core.errors import DomainError
from cityops.core.models import AuditEvent
from cityops.registry.testing import SmallCity
from cityops.vehicles.jt808 import codec as c
from cityops.vehicles.models import SegmentDay, Vehicle, VehicleKind, WorkPlan
from cityops.vehicles.positions import Row, positions_store
from cityops.vehicles.services import coverage_compute, vehicles_import
from cityops.vehicles.testing import vehicle_make

HEADER = "plate,plate_colour,kind,sim,protocol_version,operator,contract,lot\n"


def test_import_creates_and_updates_by_sim(small_city: SmallCity, personas: object) -> None:
    data = (
        HEADER
        + f"蒙GA0001,2,sweeper,13900001111,2013,{small_city.operator_a.name},HW-A,HW-A-1\n"
        + f"蒙GA0002,1,washer,013900002222,2019,{small_city.operator_a.uscc},,\n"
    ).encode()
    report = vehicles_import(data=data, actor=None)
    assert (report.created, report.updated, report.issues) == (2, 0, [])
    assert Vehicle.objects.get(sim="13900002222").protocol_version == 2019
    again = vehicles_import(data=data.replace(b"washer", b"sprinkler"), actor=None)
    assert (again.created, again.updated) == (0, 2)
    assert Vehicle.objects.get(sim="13900002222").kind == VehicleKind.SPRINKLER
    assert AuditEvent.objects.filter(code="vehicle.imported").count() == 2


def test_import_lists_every_bad_row_and_writes_nothing(small_city: SmallCity) -> None:
    data = (
        HEADER
        + f"蒙GA0001,2,rocket,13900001111,2013,{small_city.operator_a.name},,\n"
        + "蒙GA0002,2,sweeper,13900001111,2015,nobody,HW-X,\n"
        + f"蒙GA0003,2,sweeper,13900003333,2013,{small_city.operator_b.name},HW-A,\n"
    ).encode()
    with translation.override("en"):
        report = vehicles_import(data=data, actor=None)
    found = {(i.where, i.field) for i in report.issues}
    assert found == {
        ("row 2", "kind"), ("row 3", "sim"), ("row 3", "protocol_version"), ("row 3", "operator"),
        ("row 3", "contract"), ("row 4", "contract"),
    }  # fmt: skip
    assert not Vehicle.objects.exists()


def test_import_refuses_a_file_that_is_not_csv_text(small_city: SmallCity) -> None:
    with pytest.raises(DomainError):
        vehicles_import(data=b"\xff\xfe\x00bad", actor=None)


def test_coverage_of_a_day_from_stored_positions(small_city: SmallCity) -> None:
    # road_west runs west → east along lat 43.615 from 122.251 to 122.259 (≈ 645 m).
    sweeper = vehicle_make(small_city, "13900000009")
    plan = WorkPlan.objects.create(lot=small_city.lot_a, kind=VehicleKind.SWEEPER)
    day = dt.date(2026, 11, 20)
    start = dt.datetime(2026, 11, 20, 22, 30, tzinfo=c.BEIJING)
    rows = []
    # Half the road at 7 km/h (≈ 2 m/s, a fix every 10 s ≈ 19 m), broom down.
    lon = 122.251
    k = 0
    while lon <= 122.255:
        at = start + dt.timedelta(seconds=10 * k)
        rows.append(
            Row(sweeper.pk, at, 43_615_000, round(lon * 1e6), 70, 90, 0, 3, 0, True, False, at)
        )
        lon += 0.00024
        k += 1
    positions_store(rows)
    assert coverage_compute(plan=plan, day=day) == (1, 0)
    (result,) = SegmentDay.objects.filter(plan=plan, day=day)
    assert 0.45 < result.share < 0.55
    assert result.passes == 0
    assert result.planned_passes == 3  # cleaning grade 1
    # The day before has nothing.
    coverage_compute(plan=plan, day=day - dt.timedelta(days=1))
    assert SegmentDay.objects.get(plan=plan, day=day - dt.timedelta(days=1)).covered_m == 0


def test_admin_import_page_lists_issues_and_imports(
    small_city: SmallCity, personas: object
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client
    from django.urls import reverse

    client = Client()
    client.force_login(personas.admin)  # type: ignore[attr-defined]
    url = reverse("admin:vehicles_vehicle_import")
    bad = SimpleUploadedFile("v.csv", (HEADER + "蒙GA1,2,rocket,139,2013,x,,\n").encode())
    page = client.post(url, {"file": bad})
    assert page.status_code == 200
    issues = page.context["issues"]
    assert {i.field for i in issues} == {"kind", "operator"}
    assert all("2" in i.where for i in issues)
    good = SimpleUploadedFile(
        "v.csv", (HEADER + f"蒙GA1,2,sweeper,139,2013,{small_city.operator_a.name},,\n").encode()
    )
    assert client.post(url, {"file": good}).status_code == 302
    assert Vehicle.objects.filter(sim="139").exists()
    client.force_login(personas.mayor)  # type: ignore[attr-defined]
    assert client.get(url).status_code in (302, 403)
