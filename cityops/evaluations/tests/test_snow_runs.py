"""“Evaluate this event” as a background job: one job per event at a time, progress, outcome,
audit; the event page's htmx fragment. Also which acceptance items mean "snow left": data on
the scheme version, with today's list as the default."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D
from typing import Any

import pytest
from django.apps import apps as django_apps
from django.urls import reverse
from django.utils import timezone

from cityops.core.errors import Conflict, DomainError
from cityops.core.models import AuditEvent
from cityops.evaluations.models import (
    Period,
    PeriodStatus,
    Scheme,
    SchemeFamily,
    SchemeItem,
    SnowEvaluation,
    SnowEvaluationRun,
)
from cityops.evaluations.runs.jobs import snow_run_execute, snow_run_start
from cityops.evaluations.schemes.services import scheme_new_version, scheme_publish
from cityops.evaluations.snow.services import evaluate_snow_event, snow_left_items
from cityops.evaluations.tests.test_snow_events import OCT, TZ, client_for, snowfall  # noqa: F401
from cityops.inspections.services.snow import snow_event_create

pytestmark = pytest.mark.usefixtures("schemes")


def test_a_queued_evaluation_runs_with_progress_and_is_audited(
    snowfall: dict[str, Any],  # noqa: F811
    personas: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    event = snowfall["event"]
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        run = snow_run_start(event_id=event.pk, actor=personas.supervisor)
    assert len(callbacks) == 1  # enqueued after commit (immediate backend in tests)
    run.refresh_from_db()
    assert run.status == "done"
    assert (run.done, run.total, run.percent) == (2, 2, 100)
    assert run.report == {"evaluated": 2, "unchanged": 0}
    assert SnowEvaluation.objects.filter(event=event, is_current=True).count() == 2
    codes = list(AuditEvent.objects.values_list("code", flat=True))
    for code in ("evaluation.snow_run.queued", "evaluation.snow_event.evaluated",
                 "evaluation.snow_run.done"):  # fmt: skip
        assert codes.count(code) == 1
    assert snow_run_execute(run_id=run.pk).status == "done"  # a retried task does nothing
    assert codes == list(AuditEvent.objects.values_list("code", flat=True))
    # asked again once done: a new job, the same results (no new revision)
    with django_capture_on_commit_callbacks(execute=True):
        again = snow_run_start(event_id=event.pk, actor=personas.supervisor)
    again.refresh_from_db()
    assert again.pk != run.pk
    assert again.report == {"evaluated": 0, "unchanged": 2}
    assert SnowEvaluation.objects.filter(event=event).count() == 2


def test_a_second_click_while_running_is_a_conflict_like_a_month(
    snowfall: dict[str, Any],  # noqa: F811
    personas: Any,
) -> None:
    event = snowfall["event"]
    first = snow_run_start(event_id=event.pk, actor=personas.supervisor)
    with pytest.raises(Conflict) as busy:
        snow_run_start(event_id=event.pk, actor=personas.supervisor)
    assert busy.value.code == "running"
    assert SnowEvaluationRun.objects.get(event=event).pk == first.pk
    assert AuditEvent.objects.filter(code="evaluation.snow_run.queued").count() == 1


def test_refused_before_queueing_and_failing_cleanly(
    snowfall: dict[str, Any],  # noqa: F811
    personas: Any,
) -> None:
    now = timezone.now()
    fresh = snow_event_create(
        name="刚停的雪", started_at=now - dt.timedelta(hours=5),
        ended_at=now - dt.timedelta(hours=1), level="moderate", actor=personas.supervisor,
    )  # fmt: skip
    with pytest.raises(DomainError) as open_deadlines:
        snow_run_start(event_id=fresh.pk, actor=personas.supervisor)
    assert open_deadlines.value.code == "deadlines_open"
    assert not SnowEvaluationRun.objects.exists()
    event = snowfall["event"]
    run = snow_run_start(event_id=event.pk, actor=personas.supervisor)
    # the month is published before the worker picks the job up: it fails with the reason
    Period.objects.create(month=OCT, status=PeriodStatus.PUBLISHED)
    finished = snow_run_execute(run_id=run.pk)
    assert finished.status == "failed"
    with pytest.raises(Conflict) as frozen:
        evaluate_snow_event(event_id=event.pk, actor=personas.supervisor)
    assert finished.message == str(frozen.value.message)  # the service's reason, shown as is
    assert AuditEvent.objects.filter(code="evaluation.snow_run.failed").exists()
    assert not SnowEvaluation.objects.exists()
    with pytest.raises(Conflict):
        snow_run_start(event_id=event.pk, actor=personas.supervisor)


def test_event_page_and_progress_fragment(
    snowfall: dict[str, Any],  # noqa: F811
    personas: Any,
) -> None:
    event = snowfall["event"]
    supervisor = client_for(personas.supervisor)
    assert supervisor.post(reverse("evaluations:snow-evaluate", args=[event.pk])).status_code == 302
    run = SnowEvaluationRun.objects.get(event=event)  # queued: on_commit never fires here
    page = supervisor.get(reverse("inspections:snow-detail", args=[event.pk])).content.decode()
    progress = reverse("evaluations:snow-run-progress", args=[run.pk])
    assert f'hx-get="{progress}"' in page  # the fragment polls while the job is queued
    again = supervisor.post(reverse("evaluations:snow-evaluate", args=[event.pk]), follow=True)
    assert b"already under way" in again.content
    assert SnowEvaluationRun.objects.filter(event=event).count() == 1
    snow_run_execute(run_id=run.pk)
    fragment = supervisor.get(progress, HTTP_HX_REQUEST="true")
    assert fragment.status_code == 200
    assert fragment["HX-Refresh"] == "true"  # done: the page reloads with the results
    assert "hx-get" not in fragment.content.decode()
    assert client_for(personas.operator_a).get(progress).status_code == 404
    assert client_for(personas.mayor).get(progress).status_code == 404


# --- which items mean "snow left" ---------------------------------------------------------


def _snow_scheme() -> Scheme:
    family = SchemeFamily.objects.get(code="snow-removal")
    return Scheme.objects.get(family=family, status="published")


def test_demo_and_migration_defaults_mark_todays_list(db: None, schemes: None) -> None:
    expected = {
        "clear": ("acceptance/lane_lines_hidden", "acceptance/no_black_surface"),
        "haul": ("acceptance/piles_bus_stop",),
    }
    assert snow_left_items(_snow_scheme()) == expected
    from importlib import import_module

    migration = import_module("cityops.evaluations.migrations.0005_snow_left_defaults")
    SchemeItem.objects.update(snow_left="")
    assert snow_left_items(_snow_scheme()) == {"clear": (), "haul": ()}
    migration.forwards(django_apps, None)
    assert snow_left_items(_snow_scheme()) == expected
    # only snow-removal schemes get marked
    assert (
        not SchemeItem.objects.exclude(component__scheme__family__scope="snow_event")
        .exclude(snow_left="")
        .exists()
    )


def test_scoring_reads_the_items_of_the_version_in_force(
    snowfall: dict[str, Any],  # noqa: F811
    personas: Any,
    small_city: Any,
) -> None:
    # a new version from October: black surface no longer counts as "not cleared"
    draft = scheme_new_version(scheme_id=_snow_scheme().pk, actor=personas.supervisor)
    SchemeItem.objects.filter(component__scheme=draft, code="no_black_surface").update(snow_left="")
    scheme_publish(scheme_id=draft.pk, actor=personas.supervisor, valid_from=OCT)
    stored = evaluate_snow_event(event_id=snowfall["event"].pk, actor=personas.supervisor)
    a = next(e for e in stored if e.contract_id == small_city.contract_a.pk)
    assert a.scheme_id == draft.pk
    road = a.inputs["roads"][0]
    assert road["clear"]["derived"] == 0  # 30 h late, but the item no longer means snow left
    assert a.inputs["components"]["clearing"]["findings"]["clear_late"] == "0.00"
    assert a.score == D("95.50")
    # marking the haul-out item instead: the same finding now makes haul-out late
    draft2 = scheme_new_version(scheme_id=draft.pk, actor=personas.supervisor)
    SchemeItem.objects.filter(component__scheme=draft2, code="no_black_surface").update(
        snow_left="haul"
    )
    scheme_publish(scheme_id=draft2.pk, actor=personas.supervisor, valid_from=dt.date(2026, 11, 1))
    assert snow_left_items(draft2)["haul"] == (
        "acceptance/no_black_surface", "acceptance/piles_bus_stop",
    )  # fmt: skip


def test_the_scheme_editor_edits_the_flag(db: None, schemes: None, personas: Any) -> None:
    draft = scheme_new_version(scheme_id=_snow_scheme().pk, actor=personas.supervisor)
    component = draft.components.get(code="acceptance")
    url = reverse("evaluations:scheme-items", args=[draft.pk, component.pk])
    supervisor = client_for(personas.supervisor)
    page = supervisor.get(url)
    assert page.status_code == 200
    assert 'name="items-0-snow_left"' in page.content.decode()
    items = list(component.items.order_by("order", "id"))
    data: dict[str, Any] = {
        "items-TOTAL_FORMS": str(len(items)),
        "items-INITIAL_FORMS": str(len(items)),
        "items-MIN_NUM_FORMS": "0",
        "items-MAX_NUM_FORMS": "1000",
    }
    for n, item in enumerate(items):
        data |= {
            f"items-{n}-id": str(item.pk), f"items-{n}-code": item.code,
            f"items-{n}-name": item.name, f"items-{n}-rule": item.rule,
            f"items-{n}-points": str(item.points), f"items-{n}-cap": "",
            f"items-{n}-snow_left": "haul" if item.code == "lane_lines_hidden" else item.snow_left,
            f"items-{n}-order": str(item.order),
        }  # fmt: skip
    response = supervisor.post(url, data)
    assert response.status_code in (200, 302), response.content.decode()[:500]
    assert component.items.get(code="lane_lines_hidden").snow_left == "haul"
    bad = {**data, "items-0-snow_left": "melted"}
    assert supervisor.post(url, bad).status_code == 400
    assert client_for(personas.operator_a).get(url).status_code == 404
