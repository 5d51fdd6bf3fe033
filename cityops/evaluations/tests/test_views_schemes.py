"""The scheme editor, penalty records, surveys and the policy page over HTTP."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from cityops.core.models import AuditEvent
from cityops.evaluations.models import (
    EvaluationPolicy,
    GradeBand,
    PenaltyRecord,
    Scheme,
    SchemeComponent,
    Survey,
    SurveyAnswer,
)

pytestmark = pytest.mark.usefixtures("schemes")


def form_data(*parts: Any) -> dict[str, Any]:
    """POST data reproducing rendered forms and formsets as they are."""
    data: dict[str, Any] = {}
    for part in parts:
        forms = part.forms if hasattr(part, "forms") else [part]
        if hasattr(part, "management_form"):
            for name, _field in part.management_form.fields.items():
                data[f"{part.prefix}-{name}"] = part.management_form[name].value()
        for form in forms:
            for name in form.fields:
                value = form[name].value()
                if value is None or value is False:
                    continue
                data[form.add_prefix(name)] = "on" if value is True else value
    return data


@pytest.fixture
def supervisor(client: Client, personas: Any) -> Client:
    client.force_login(personas.supervisor)
    return client


def road_v1() -> Scheme:
    return Scheme.objects.get(family__code="road-cleaning", version=1)


def test_list_and_version_pages(supervisor: Client) -> None:
    assert b"v1" in supervisor.get(reverse("evaluations:schemes")).content
    page = supervisor.get(reverse("evaluations:scheme", args=[road_v1().pk]))
    assert page.status_code == 200
    assert "超期处置" in page.content.decode()


def test_edit_a_new_draft_validate_and_publish(supervisor: Client, personas: Any) -> None:
    v1 = road_v1()
    # a published version is never edited in place
    response = supervisor.get(reverse("evaluations:scheme-edit", args=[v1.pk]))
    assert response.status_code == 302
    response = supervisor.post(reverse("evaluations:scheme-draft", args=[v1.pk]))
    draft = Scheme.objects.get(family=v1.family, version=2)
    assert response["Location"] == reverse("evaluations:scheme-edit", args=[draft.pk])
    url = reverse("evaluations:scheme-edit", args=[draft.pk])
    page = supervisor.get(url)
    ctx = page.context
    data = form_data(ctx["form"], ctx["components"], ctx["bands"], ctx["penalties"])
    cases_form = next(
        f for f in ctx["components"].forms if f.instance.pk and f.instance.code == "cases"
    )
    # weights no longer add up to 100: refused by the scoring core, nothing saved
    new_band = ctx["bands"].extra_forms[0]
    bad = {
        **data,
        cases_form.add_prefix("weight"): "45",
        new_band.add_prefix("code"): "very-good",
        new_band.add_prefix("name"): "很好",
        new_band.add_prefix("min_score"): "85",
    }
    refused = supervisor.post(url, bad)
    assert refused.status_code == 400
    assert refused.context["problem"]
    shown = refused.context["components"]
    assert any(f["weight"].value() == "45" for f in shown.forms)  # the input is shown again
    assert all(f.instance.pk is None for f in refused.context["bands"].extra_forms)
    assert not GradeBand.objects.filter(scheme=draft, code="very-good").exists()
    assert SchemeComponent.objects.get(scheme=draft, code="cases").weight == 30
    # a bad number is a form error, not a 500
    assert supervisor.post(url, {**data, "scheme-pass_mark": "abc"}).status_code == 400
    # a consistent change is saved and audited
    ok = {**data, "scheme-pass_mark": "85"}
    assert supervisor.post(url, ok).status_code == 302
    draft.refresh_from_db()
    assert draft.pass_mark == 85
    assert AuditEvent.objects.filter(
        code="evaluation.scheme.edited", target_id=str(draft.pk)
    ).exists()
    # checklist items of one component
    component = SchemeComponent.objects.get(scheme=draft, code="cases")
    items_url = reverse("evaluations:scheme-items", args=[draft.pk, component.pk])
    items = supervisor.get(items_url).context["items"]
    item_data = form_data(items)
    overdue = next(f for f in items.forms if f.instance.pk and f.instance.code == "overdue")
    item_data[overdue.add_prefix("points")] = "1.5"
    assert supervisor.post(items_url, item_data).status_code == 302
    assert component.items.get(code="overdue").points == 1.5
    # publish from a month
    publish = reverse("evaluations:scheme-publish", args=[draft.pk])
    assert supervisor.post(publish, {"month": "bad"}).status_code == 302
    draft.refresh_from_db()
    assert draft.status == "draft"
    supervisor.post(publish, {"month": "2026-12"})
    draft.refresh_from_db()
    assert draft.status == "published"
    assert draft.valid_from == dt.date(2026, 12, 1)
    v1.refresh_from_db()
    assert v1.valid_to == dt.date(2026, 11, 30)


def test_penalty_records_page(supervisor: Client, small_city: Any) -> None:
    url = reverse("evaluations:penalties")
    assert supervisor.post(url, {"contract": small_city.contract_a.pk}).status_code == 400
    unknown = supervisor.post(url, {"contract": small_city.contract_a.pk, "code": "nope",
                                    "occurred_on": "2026-10-20"})  # fmt: skip
    assert unknown.status_code == 400
    response = supervisor.post(url, {"contract": small_city.contract_a.pk, "code": "media_county",
                                     "occurred_on": "2026-10-20", "note": "市报曝光"})  # fmt: skip
    assert response.status_code == 302
    record = PenaltyRecord.objects.get()
    assert record.recorded_by is not None
    assert AuditEvent.objects.filter(code="evaluation.penalty.recorded").exists()


def test_surveys_staff_entry_and_online_answers(
    supervisor: Client, small_city: Any, client: Client
) -> None:
    url = reverse("evaluations:surveys")
    assert supervisor.post(url, {"month": "10/2026"}).status_code == 400
    created = supervisor.post(url, {"contract": small_city.contract_a.pk, "month": "2026-10",
                                    "title": "十月", "sample_size": 2, "online": "on"})  # fmt: skip
    survey = Survey.objects.get()
    assert created["Location"] == reverse("evaluations:survey", args=[survey.pk])
    detail = reverse("evaluations:survey", args=[survey.pk])
    assert supervisor.post(detail, {"rating": "9"}).status_code == 400
    assert supervisor.post(detail, {"rating": "4", "respondent": "3号楼"}).status_code == 302
    client.logout()
    public = reverse("evaluations:public-survey", args=[survey.token])
    assert client.get(public).status_code == 200
    thanks = client.post(public, {"rating": "5"})
    assert thanks.status_code == 200
    assert thanks.context["thanks"] is True
    full = client.post(public, {"rating": "5"})
    assert full.status_code == 409  # the sample size (2) is reached
    assert SurveyAnswer.objects.filter(survey=survey).count() == 2
    assert client.get(reverse("evaluations:public-survey", args=["nope"])).status_code == 404


def test_policy_page(supervisor: Client) -> None:
    url = reverse("evaluations:policy")
    assert supervisor.post(url, {"appeal_days": "0"}).status_code == 400
    response = supervisor.post(url, {"appeal_days": "5", "appeal_day_kind": "working",
                                     "survey_weight": "60", "feedback_weight": "40",
                                     "min_feedback": "3", "snow_fee_percent": "12.5"})  # fmt: skip
    assert response.status_code == 302
    policy = EvaluationPolicy.objects.get()
    assert (policy.appeal_days, policy.appeal_day_kind, policy.min_feedback) == (5, "working", 3)
    assert policy.snow_fee_percent == Decimal("12.5")


def test_online_answers_are_rate_limited_per_address(
    supervisor: Client, small_city: Any, client: Client
) -> None:
    data = {"contract": small_city.contract_b.pk, "month": "2026-10", "title": "十月",
            "sample_size": 50, "online": "on"}  # fmt: skip
    supervisor.post(reverse("evaluations:surveys"), data)
    client.logout()
    public = reverse("evaluations:public-survey", args=[Survey.objects.get().token])
    codes = [client.post(public, {"rating": "5"}).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    assert SurveyAnswer.objects.count() == 3
