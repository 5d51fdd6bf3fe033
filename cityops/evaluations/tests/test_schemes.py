"""Schemes as versioned data: demo load, publication rules, immutability in the admin, snapshots."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import translation

from cityops.core.errors import Conflict, DomainError
from cityops.evaluations import scoring as s
from cityops.evaluations.demo import FAMILIES, load_demo_schemes
from cityops.evaluations.models import Scheme, SchemeComponent, SchemeFamily, SchemeStatus
from cityops.evaluations.runs.explain import TEMPLATES, describe_step
from cityops.evaluations.runs.snapshots import case_rule, core_scheme, sensory_method
from cityops.evaluations.schemes.selectors import scheme_snapshot, scheme_with_rules
from cityops.evaluations.schemes.services import scheme_new_version, scheme_publish, scheme_validate


def test_demo_schemes_load_idempotently(db: None, capsys: Any) -> None:
    call_command("load_demo_schemes")
    call_command("load_demo_schemes")
    assert "0" in capsys.readouterr().out
    assert SchemeFamily.objects.count() == len(FAMILIES)
    assert Scheme.objects.count() == len(FAMILIES)
    assert load_demo_schemes() == (0, len(FAMILIES))
    for scheme in Scheme.objects.all():
        assert scheme.status == SchemeStatus.PUBLISHED
        assert scheme.in_force_on(dt.date(2026, 10, 1))
        assert not scheme.in_force_on(dt.date(2024, 12, 1))
        core = scheme_validate(scheme=scheme)
        assert [b.code for b in core.bands_desc] == ["excellent", "good", "pass", "fail"]


def test_road_cleaning_demo_is_the_sensory_method(db: None) -> None:
    load_demo_schemes()
    scheme = scheme_with_rules(Scheme.objects.get(family__code="road-cleaning").pk)
    snapshot = scheme_snapshot(scheme)
    roadway = next(c for c in snapshot["components"] if c["code"] == "roadway")
    method = sensory_method(roadway["config"])
    assert method.coefficients == (D(6), D(6), D(4), D(4))
    assert method.max_score == 100
    assert any(i["veto"] for i in roadway["items"])
    assert sensory_method({}).coefficients == s.SensoryMethod().coefficients
    assert case_rule({}) == s.CasePerformanceRule()
    custom = case_rule({"volume_bands": [[10, 40]], "closure_weight": 20, "on_time_weight": 20,
                        "rework_weight": 20})  # fmt: skip
    assert custom.volume_bands == (s.VolumeBand(10, D(40)),)
    assert str(scheme) == "道路清扫保洁考评 v1"


def test_publishing_a_new_version_ends_the_previous_one(db: None, personas: Any) -> None:
    load_demo_schemes()
    v1 = Scheme.objects.get(family__code="property-service")
    v2 = scheme_new_version(scheme_id=v1.pk, actor=personas.supervisor)
    assert (v2.version, v2.status) == (2, SchemeStatus.DRAFT)
    assert v2.components.count() == v1.components.count()
    assert sum(c.items.count() for c in v2.components.all()) == sum(
        c.items.count() for c in v1.components.all()
    )
    with pytest.raises(DomainError):
        scheme_publish(scheme_id=v2.pk, actor=personas.supervisor, valid_from=dt.date(2026, 3, 2))
    with pytest.raises(Conflict):
        scheme_publish(scheme_id=v2.pk, actor=personas.supervisor, valid_from=dt.date(2025, 1, 1))
    SchemeComponent.objects.filter(scheme=v2, code="cases").update(weight=D(99))
    with pytest.raises(DomainError) as err:
        scheme_publish(scheme_id=v2.pk, actor=personas.supervisor, valid_from=dt.date(2026, 3, 1))
    assert err.value.code == "weights"
    SchemeComponent.objects.filter(scheme=v2, code="cases").update(weight=D(30))
    scheme_publish(scheme_id=v2.pk, actor=personas.supervisor, valid_from=dt.date(2026, 3, 1))
    v1.refresh_from_db()
    v2.refresh_from_db()
    assert v1.valid_to == dt.date(2026, 2, 28)
    assert v2.published_by == personas.supervisor
    with pytest.raises(Conflict):
        scheme_publish(scheme_id=v2.pk, actor=personas.supervisor)


def test_published_versions_are_read_only_in_the_admin(db: None, personas: Any) -> None:
    load_demo_schemes()
    scheme = Scheme.objects.get(family__code="snow-removal")
    component = scheme.components.first()
    assert component is not None
    client = Client()
    client.force_login(personas.admin)
    personas.admin.is_superuser = True
    personas.admin.is_staff = True
    personas.admin.save()
    url = reverse("admin:evaluations_scheme_change", args=[scheme.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert b'name="pass_mark"' not in page.content  # view only
    posted = client.post(url, {"pass_mark": "60"})
    assert posted.status_code == 403
    page = client.get(reverse("admin:evaluations_schemecomponent_change", args=[component.pk]))
    assert b'name="weight"' not in page.content
    changelist = reverse("admin:evaluations_scheme_changelist")
    client.post(changelist, {"action": "new_draft", "_selected_action": [scheme.pk]})
    draft = Scheme.objects.get(family=scheme.family, version=2)
    page = client.get(reverse("admin:evaluations_scheme_change", args=[draft.pk]))
    assert b'name="pass_mark"' in page.content
    client.post(changelist, {"action": "publish", "_selected_action": [draft.pk]})  # same start
    draft.refresh_from_db()
    assert draft.status == SchemeStatus.DRAFT
    Scheme.objects.filter(pk=draft.pk).update(valid_from=dt.date(2026, 12, 1))
    client.post(changelist, {"action": "publish", "_selected_action": [draft.pk]})
    draft.refresh_from_db()
    assert draft.status == SchemeStatus.PUBLISHED
    for name in ("evaluation", "period", "penaltyrecord", "schemefamily"):
        assert client.get(reverse(f"admin:evaluations_{name}_changelist")).status_code == 200


def test_snapshot_round_trips_into_the_core(db: None) -> None:
    load_demo_schemes()
    for scheme in Scheme.objects.all():
        snapshot = scheme_snapshot(scheme_with_rules(scheme.pk))
        core = core_scheme(snapshot)
        assert sum(c.weight for c in core.components) == 100


def test_every_step_has_a_translated_sentence() -> None:
    result = s.score(
        s.Scheme((s.Component("a", D(100), items=(s.Item("x", points=D(1)),)),), s.DEFAULT_BANDS),
        {"a": s.ComponentInput(findings={"x": D(1)})},
        fee=D(100),
    )
    with translation.override("zh-hans"):
        lines = [describe_step(step.as_dict()) for step in result.steps]
    assert all(lines)
    assert any(line.startswith("总分") for line in lines)
    assert describe_step({"code": "unknown", "values": {}}).startswith("unknown")
    assert "grade" in TEMPLATES


def test_admin_adds_a_draft_and_records_a_penalty(db: None, personas: Any, small_city: Any) -> None:
    load_demo_schemes()
    personas.admin.is_superuser = True
    personas.admin.is_staff = True
    personas.admin.save()
    client = Client()
    client.force_login(personas.admin)
    family = SchemeFamily.objects.get(code="road-cleaning")
    form = {
        "family": family.pk, "valid_from": "2027-01-01", "notes": "", "veto_mode": "grade_only",
        "veto_score": "0", "pass_mark": "85", "percent_per_point": "5", "veto_percent": "0",
        "cap_percent": "",
    }  # fmt: skip
    for prefix in ("components", "bands", "penalties"):
        form.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"})
    response = client.post(reverse("admin:evaluations_scheme_add"), form)
    assert response.status_code == 302, response.content[:2000]
    draft = Scheme.objects.get(family=family, version=2)
    assert draft.status == SchemeStatus.DRAFT
    response = client.post(
        reverse("admin:evaluations_penaltyrecord_add"),
        {"contract": small_city.contract_a.pk, "code": "media_county",
         "occurred_on": "2026-10-05", "note": "电视台曝光"},
    )  # fmt: skip
    assert response.status_code == 302
    record = small_city.contract_a.penalty_records.get()
    assert record.recorded_by == personas.admin
