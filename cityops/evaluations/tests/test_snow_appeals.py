"""Appeals against a snow deduction: filed like a monthly one (window, scope, evidence), decided
in the same queue; a changed quantity makes a new snow revision and the month follows."""

from __future__ import annotations

from decimal import Decimal as D
from typing import Any

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cityops.core.errors import Conflict, DomainError, NotFound, PermissionDenied
from cityops.core.models import AuditEvent
from cityops.evaluations.appeals.services import appeal_decide, appeal_withdraw
from cityops.evaluations.appeals.snow import snow_appeal_file
from cityops.evaluations.models import Appeal, Evaluation, SnowEvaluation
from cityops.evaluations.runs.month import evaluate_month, period_publish
from cityops.evaluations.runs.snapshots import recompute
from cityops.evaluations.snow.services import evaluate_snow_event
from cityops.evaluations.tests.conftest import at, jpeg
from cityops.evaluations.tests.test_snow_events import OCT, client_for, snowfall  # noqa: F401
from cityops.notifications.models import Notification

pytestmark = pytest.mark.usefixtures("schemes")
PUBLISHED = at(2026, 11, 3, 10, 0)
IN_WINDOW = at(2026, 11, 5, 9, 0)


@pytest.fixture
def published_snow(
    snowfall: dict[str, Any],  # noqa: F811
    personas: Any,
    small_city: Any,
) -> SnowEvaluation:
    """The October snowfall evaluated, October run with its snow line and published on 3 Nov;
    contract A's snow result: clearing 2 days late (derived), 5 places without black surface."""
    evaluate_snow_event(event_id=snowfall["event"].pk, actor=personas.supervisor)
    with time_machine.travel(PUBLISHED, tick=False):
        evaluate_month(month=OCT)
        period_publish(month=OCT, actor=personas.supervisor)
    return SnowEvaluation.objects.get(contract=small_city.contract_a, is_current=True)


def _file(snow: SnowEvaluation, actor: Any, **kw: Any) -> Appeal:
    kw.setdefault("now", IN_WINDOW)
    return snow_appeal_file(
        snow_id=snow.pk, component=kw.pop("component", "clearing"),
        item=kw.pop("item", "clear_late"), reason="路段封闭施工，无法进场", actor=actor, **kw,
    )  # fmt: skip


def _month(contract: Any) -> Evaluation:
    return Evaluation.objects.get(period__month=OCT, contract=contract, is_current=True)


def test_overturned_snow_deduction_makes_new_revisions_and_the_month_follows(
    published_snow: SnowEvaluation,
    personas: Any,
    small_city: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    month = _month(small_city.contract_a)
    assert [line["id"] for line in month.inputs["snow_events"]] == [published_snow.pk]
    assert published_snow.deduction > 0
    with django_capture_on_commit_callbacks(execute=True):
        appeal = _file(
            published_snow, personas.operator_a, files=[SimpleUploadedFile("p.jpg", jpeg())]
        )
    assert appeal.snow_evaluation == published_snow
    assert appeal.evaluation == month  # the month carrying the event's payment line
    assert appeal.deadline == at(2026, 11, 11)  # the month's window: 7 days after publication
    assert (appeal.quantity, appeal.deduction) == (D("2.00"), D("10.00"))
    assert Notification.objects.filter(
        recipient=personas.supervisor, code="evaluation.appeal.filed"
    ).exists()
    with django_capture_on_commit_callbacks(execute=True):
        decided = appeal_decide(
            appeal_id=appeal.pk, decision="overturned", actor=personas.supervisor,
            note="封路证明属实",
        )  # fmt: skip
    snow2, month2 = decided.result_snow_revision, decided.result_revision
    assert snow2 is not None
    assert month2 is not None
    assert (snow2.revision, snow2.is_current) == (2, True)
    assert D(snow2.inputs["components"]["clearing"]["findings"]["clear_late"]) == 0
    assert snow2.inputs["appeals"][0]["appeal"] == appeal.pk
    # clearing 100 (70 %) + acceptance 85 (30 %) = 95.5 ≥ 90: no deduction for the event
    assert snow2.score == D("95.50")
    assert snow2.deduction == 0
    assert recompute(snow2.scheme_snapshot, snow2.inputs).as_dict() == snow2.result
    published_snow.refresh_from_db()
    assert not published_snow.is_current  # the contested revision stays in the history
    # the month: revision 2 carries the new snow line; its payment follows, its score does not
    assert (month2.revision, month2.is_current) == (2, True)
    assert [line["id"] for line in month2.inputs["snow_events"]] == [snow2.pk]
    assert month2.result["snow"]["deduction"] == "0.00"
    assert month2.payable == month.payable + published_snow.deduction
    assert month2.score == month.score
    month.refresh_from_db()
    assert not month.is_current
    codes = set(AuditEvent.objects.values_list("code", flat=True))
    assert {"evaluation.snow_revised", "evaluation.revised", "evaluation.appeal.decided"} <= codes
    assert Notification.objects.filter(
        recipient=personas.operator_a, code="evaluation.appeal.decided"
    ).exists()
    # the diff of the two snow revisions names the changed item
    operator = client_for(personas.operator_a)
    diff = operator.get(reverse("evaluations:snow-diff", args=[published_snow.pk, snow2.pk]))
    assert diff.status_code == 200
    # … by the scheme's words, not the internal code
    from cityops.evaluations.appeals.results import item_name

    assert item_name(snow2, "clearing", "clear_late") in diff.content.decode()
    assert "clearing/clear_late" not in diff.content.decode()
    page = operator.get(reverse("evaluations:appeal", args=[appeal.pk])).content.decode()
    assert reverse("evaluations:snow-diff", args=[published_snow.pk, snow2.pk]) in page


def test_upheld_snow_deduction_shows_the_reasons_and_changes_nothing(
    published_snow: SnowEvaluation, personas: Any, small_city: Any
) -> None:
    appeal = _file(published_snow, personas.operator_a, component="acceptance",
                   item="no_black_surface")  # fmt: skip
    appeal_decide(
        appeal_id=appeal.pk, decision="upheld", actor=personas.supervisor,
        note="照片显示路面覆雪",
    )  # fmt: skip
    appeal.refresh_from_db()
    assert appeal.status == "upheld"
    assert appeal.result_snow_revision is None
    assert appeal.result_revision is None
    assert SnowEvaluation.objects.filter(contract=small_city.contract_a).count() == 1
    assert Evaluation.objects.filter(period__month=OCT, contract=small_city.contract_a).count() == 1
    page = client_for(personas.operator_a).get(reverse("evaluations:appeal", args=[appeal.pk]))
    assert "照片显示路面覆雪" in page.content.decode()


def test_partly_overturned(published_snow: SnowEvaluation, personas: Any, small_city: Any) -> None:
    appeal = _file(published_snow, personas.operator_a)
    with pytest.raises(DomainError):  # the adjusted quantity lies below the contested one
        appeal_decide(appeal_id=appeal.pk, decision="partly", actor=personas.supervisor,
                      note="部分属实", adjusted_quantity="3")  # fmt: skip
    decided = appeal_decide(
        appeal_id=appeal.pk, decision="partly", actor=personas.supervisor, note="部分属实",
        adjusted_quantity="1",
    )  # fmt: skip
    snow2 = decided.result_snow_revision
    assert snow2 is not None
    assert D(snow2.inputs["components"]["clearing"]["findings"]["clear_late"]) == 1
    assert snow2.score == D("92.00")  # clearing 95 (70 %) + acceptance 85 (30 %)
    month2 = decided.result_revision
    assert month2 is not None
    assert month2.result["snow"]["deduction"] == str(snow2.deduction)


def test_who_may_appeal_and_when(
    published_snow: SnowEvaluation, personas: Any, small_city: Any
) -> None:
    with pytest.raises(NotFound):  # operator B does not know A's snow result exists
        _file(published_snow, personas.operator_b)
    with pytest.raises(PermissionDenied):  # a supervisor sees it but does not appeal
        _file(published_snow, personas.supervisor)
    with pytest.raises(Conflict) as late:
        _file(published_snow, personas.operator_a, now=at(2026, 11, 11, 0, 0))
    assert late.value.code == "too_late"
    with pytest.raises(DomainError):  # not a deduction of this result
        _file(published_snow, personas.operator_a, item="haul_late")
    with pytest.raises(DomainError):
        snow_appeal_file(snow_id=published_snow.pk, component="clearing", item="clear_late",
                         reason="  ", actor=personas.operator_a, now=IN_WINDOW)  # fmt: skip
    first = _file(published_snow, personas.operator_a)
    with pytest.raises(Conflict) as twice:
        _file(published_snow, personas.operator_a)
    assert twice.value.code == "open"
    # operator B neither sees nor withdraws nor decides A's appeal
    b = client_for(personas.operator_b)
    assert b.get(reverse("evaluations:appeal", args=[first.pk])).status_code == 404
    assert first not in [a for a in b.get(reverse("evaluations:appeals")).context["appeals"]]
    with pytest.raises(NotFound):
        appeal_withdraw(appeal_id=first.pk, actor=personas.operator_b)
    with pytest.raises(NotFound):
        appeal_decide(appeal_id=first.pk, decision="upheld", actor=personas.operator_b, note="x")
    appeal_decide(appeal_id=first.pk, decision="overturned", actor=personas.supervisor, note="是")
    with pytest.raises(Conflict) as stale:  # the contested revision has been replaced
        _file(published_snow, personas.operator_a, component="acceptance", item="no_black_surface")
    assert stale.value.code == "stale"


def test_no_appeal_before_the_month_is_published(
    snowfall: dict[str, Any],  # noqa: F811
    personas: Any,
    small_city: Any,
) -> None:
    evaluate_snow_event(event_id=snowfall["event"].pk, actor=personas.supervisor)
    evaluate_month(month=OCT)
    snow = SnowEvaluation.objects.get(contract=small_city.contract_a)
    with pytest.raises(NotFound):  # operators see snow results of published months only
        _file(snow, personas.operator_a)


def test_appeal_pages(published_snow: SnowEvaluation, personas: Any, small_city: Any) -> None:
    url = reverse("evaluations:snow-evaluation", args=[published_snow.pk])
    operator = client_for(personas.operator_a)
    with time_machine.travel(IN_WINDOW, tick=False):
        page = operator.get(url)
        assert page.status_code == 200
        form_url = reverse("evaluations:snow-appeal-file", args=[published_snow.pk])
        assert form_url in page.content.decode()
        bad = operator.post(form_url, {"deduction": "clearing/nope", "reason": "x"})
        assert bad.status_code == 400
        empty = operator.post(form_url, {"deduction": "clearing/clear_late", "reason": ""})
        assert empty.status_code == 400
        filed = operator.post(form_url, {"deduction": "clearing/clear_late", "reason": "封路"})
    assert filed.status_code == 302
    appeal = Appeal.objects.get(snow_evaluation=published_snow)
    assert filed["Location"] == reverse("evaluations:appeal", args=[appeal.pk])
    assert client_for(personas.operator_b).post(form_url, {}).status_code == 404
    assert client_for(personas.operator_b).get(url).status_code == 404
    supervisor = client_for(personas.supervisor)
    queue = supervisor.get(reverse("evaluations:appeals")).content.decode()
    assert reverse("evaluations:appeal", args=[appeal.pk]) in queue
    assert "十月中雪" in queue  # the queue names the snowfall event
    # a supervisor sees the snow result but gets no appeal form
    assert form_url not in supervisor.get(url).content.decode()
    decided = supervisor.post(
        reverse("evaluations:appeal", args=[appeal.pk]),
        {"decision": "overturned", "note": "属实"},
    )
    assert decided.status_code == 302
    appeal.refresh_from_db()
    assert appeal.status == "overturned"
    assert appeal.result_snow_revision is not None
    month_page = operator.get(
        reverse("evaluations:evaluation", args=[appeal.result_revision.pk])  # type: ignore[union-attr]
    )
    assert reverse("evaluations:snow-evaluation", args=[appeal.result_snow_revision.pk]) in (
        month_page.content.decode()
    )
