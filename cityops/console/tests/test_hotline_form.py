"""The call centre's 12345 intake form: a call becomes a hotline case through the one hotline
intake function (``api.hotline.hotline_order_intake``), caller data encrypted, audited,
scoped to the call-centre roles; bad input is a form error in the user's language."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.urls import reverse

from cityops.cases.models import Case
from cityops.cases.testing import WEST
from cityops.core.models import AuditEvent

pytestmark = pytest.mark.django_db
URL = reverse("console:hotline")
ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}


def _post(client: Any, category: Any, **data: Any) -> Any:
    values = {
        "category": category.pk,
        "description": "来电反映路面塌陷",
        "reporter_name": "王小明",
        "reporter_phone": "13800138000",
        "urgency": "normal",
        "lon": WEST[0],
        "lat": WEST[1],
        "address": "西拉木伦大街",
        "idempotency_key": "k-1",
        "q_size": "small",
        **data,
    }
    return client.post(f"{URL}?category={category.pk}", values, **ZH)


@pytest.mark.parametrize("who", ["intake_clerk", "shift_lead"])
def test_a_call_becomes_a_hotline_case(client, catalogue, personas, who):
    client.force_login(getattr(personas, who))
    page = client.get(f"{URL}?category={catalogue['collapse'].pk}", **ZH)
    assert page.status_code == 200
    html = page.content.decode()
    assert "来电人" in html
    assert "塌陷范围" in html
    response = _post(client, catalogue["collapse"])
    assert response.status_code == 302
    case = Case.objects.get()
    assert response["Location"] == reverse("console:case-detail", args=[case.pk])
    assert case.source == "hotline"
    assert case.answers == {"size": "small"}
    assert case.reporter_name == "王小明"
    assert case.reporter_phone == "13800138000"
    with connection.cursor() as cursor:
        cursor.execute("SELECT reporter_phone FROM cases_case WHERE id = %s", [case.pk])
        stored = cursor.fetchone()[0]
    assert "13800138000" not in str(stored)  # encrypted like every reporter's
    assert AuditEvent.objects.filter(target_id=str(case.pk), code__startswith="case.").exists()
    detail = client.get(response["Location"], **ZH).content.decode()
    assert "塌陷范围：小于1平方米" in detail


def test_the_same_form_or_work_order_twice_files_one_case(client, catalogue, personas):
    client.force_login(personas.intake_clerk)
    first = _post(client, catalogue["collapse"], work_order="GD-2026-1")
    again = _post(client, catalogue["collapse"], work_order="GD-2026-1", idempotency_key="k-2")
    assert first["Location"] == again["Location"]
    _post(client, catalogue["collapse"], idempotency_key="k-9")
    _post(client, catalogue["collapse"], idempotency_key="k-9")
    assert Case.objects.count() == 2


def test_an_address_alone_is_located_by_the_registry_geocoder(client, catalogue, personas):
    client.force_login(personas.intake_clerk)
    response = _post(client, catalogue["collapse"], lon="", lat="", address="建国路")
    assert response.status_code == 302
    case = Case.objects.get()
    assert case.street is not None
    assert case.street.name == "东街道"


def test_errors_are_form_errors_in_chinese(client, catalogue, personas):
    client.force_login(personas.intake_clerk)
    unknown = _post(client, catalogue["collapse"], lon="", lat="", address="不存在的地方xyz")
    assert unknown.status_code == 400
    assert "登记库中找不到这个地址" in unknown.content.decode()
    missing = _post(client, catalogue["collapse"], q_size="")
    assert missing.status_code == 400
    assert "该字段是必填项" in missing.content.decode()
    bad_phone = _post(client, catalogue["collapse"], reporter_phone="abc")
    assert bad_phone.status_code == 400
    outside = _post(client, catalogue["collapse"], lon="10", lat="10")
    assert 400 <= outside.status_code < 500  # the service's answer, on the form
    assert Case.objects.count() == 0


@pytest.mark.parametrize("who", ["dispatcher", "inspector", "operator_a", "citizen"])
def test_other_roles_get_404(client, catalogue, personas, who):
    client.force_login(getattr(personas, who))
    assert client.get(URL).status_code == 404
    assert _post(client, catalogue["collapse"]).status_code == 404
    assert Case.objects.count() == 0


def test_the_nav_links_the_form_for_the_call_centre_only(client, personas):
    client.force_login(personas.intake_clerk)
    assert URL in client.get(reverse("console:home")).content.decode()
    client.force_login(personas.dispatcher)
    assert URL not in client.get(reverse("console:home")).content.decode()
