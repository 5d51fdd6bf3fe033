from __future__ import annotations

import io

import pytest
from django.urls import reverse

from cityops.cases.models import Case, Source, Status
from cityops.console.tests.conftest import WEST, jpeg

pytestmark = pytest.mark.django_db


def photo() -> io.BytesIO:
    f = io.BytesIO(jpeg())
    f.name = "p.jpg"
    return f


def test_inspector_reports_with_photo_and_gps(login, personas, catalogue):
    client = login(personas.inspector)
    garbage = catalogue["garbage"]
    page = client.get(reverse("console:field-report"), {"category": garbage.pk})
    assert page.status_code == 200
    assert "data-report-form" in page.content.decode()
    assert 'name="reporter_phone"' not in page.content.decode()
    url = reverse("console:field-report") + f"?category={garbage.pk}"
    data = {"category": garbage.pk, "description": "垃圾", "lon": WEST[0], "lat": WEST[1]}
    assert client.post(url, data).status_code == 400  # an inspector's report needs a photo
    response = client.post(url, {**data, "photos": photo()})
    assert response.status_code == 302
    case = Case.objects.get()
    assert case.source == Source.INSPECTOR
    assert case.status == Status.REPORTED
    assert case.photos.count() == 1


def test_field_pages_are_for_inspectors_only(login, personas, catalogue):
    client = login(personas.operator_a)
    assert client.get(reverse("console:field-report")).status_code == 404
    assert client.get(reverse("console:field-tasks")).status_code == 404
    assert login(personas.inspector).get(reverse("console:desk")).status_code == 404


def test_inspector_tasks_list_handled_cases(login, personas, handled, report):
    done = handled()
    fresh = report()
    page = login(personas.inspector).get(reverse("console:field-tasks")).content.decode()
    assert done.number in page
    assert fresh.number not in page


def test_operator_desk_shows_only_own_unit(login, personas, dispatched):
    from cityops.console.tests.conftest import EAST

    mine = dispatched()
    theirs = dispatched(point=EAST)
    page = login(personas.operator_a).get(reverse("console:desk")).content.decode()
    assert mine.number in page
    assert theirs.number not in page


def test_operator_requests_an_extension(login, personas, dispatched):
    case = dispatched()
    client = login(personas.operator_a)
    url = reverse("console:case-action", args=[case.pk, "request_extension"])
    response = client.post(url, {"reason": "材料未到", "new_deadline": "2000-01-01T10:00"})
    # A deadline not later than now and the current one clashes with the case: the service
    # says why (409, as for every refusal that depends on the case's state).
    assert response.status_code == 409
    assert "必须晚于" in response.content.decode() or "later than" in response.content.decode()
    response = client.post(url, {"reason": "材料未到", "new_deadline": "2099-01-01T10:00"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == Status.EXTENSION_REQUESTED


def test_sign_in_lands_on_the_role_aware_home(client, personas):
    from conftest import PASSWORD

    response = client.post(
        reverse("login"), {"username": personas.dispatcher.username, "password": PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("console:home")


def test_rework_loop_through_the_forms(login, personas, handled):
    case = handled()
    client = login(personas.inspector)
    url = reverse("console:case-action", args=[case.pk, "rework"])
    assert client.post(url, {"photos": photo()}).status_code == 400  # a reason is required
    assert client.post(url, {"photos": photo(), "reason": "未清理干净"}).status_code == 302
    case.refresh_from_db()
    assert case.status == Status.DISPATCHED
    assert case.rework_count == 1
    page = login(personas.operator_a).get(reverse("console:case-detail", args=[case.pk]))
    assert 'id="action-handle"' in page.content.decode()
