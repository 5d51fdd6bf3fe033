"""Appeals: the window, who may file and decide, and the recalculation as a new revision."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal as D
from typing import Any

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from cityops.core.errors import Conflict, DomainError, NotFound, PermissionDenied
from cityops.core.models import AuditEvent
from cityops.evaluations.appeals.services import (
    appeal_deadline,
    appeal_decide,
    appeal_file,
    appeal_withdraw,
    deductions_of,
    revision_diff,
)
from cityops.evaluations.models import Appeal, AppealEvidence, Evaluation, Period
from cityops.evaluations.runs.month import evaluate_month, period_publish
from cityops.evaluations.runs.snapshots import recompute
from cityops.evaluations.surveys.services import policy_get
from cityops.evaluations.tests.conftest import at, jpeg
from cityops.notifications.models import Notification

OCT = dt.date(2026, 10, 1)
PUBLISHED = at(2026, 11, 3, 10, 0)
pytestmark = pytest.mark.usefixtures("schemes")


@pytest.fixture
def published(walk: Callable[..., Any], personas: Any, small_city: Any) -> Evaluation:
    """October run and published on 3 Nov; HW-A has 2 overdue cases and 1 verified complaint."""
    walk(at(2026, 10, 12, 9, 0), handle_after=dt.timedelta(hours=1), close=True)
    walk(at(2026, 10, 13, 9, 0), handle_after=dt.timedelta(days=3), source="hotline")
    walk(at(2026, 10, 14, 9, 0), handle_after=dt.timedelta(hours=1), rework=True)
    with time_machine.travel(PUBLISHED, tick=False):
        evaluate_month(month=OCT)
        period_publish(month=OCT, actor=personas.supervisor)
    return Evaluation.objects.get(contract=small_city.contract_a, is_current=True)


def _file(evaluation: Evaluation, actor: Any, item: str = "overdue", **kw: Any) -> Appeal:
    kw.setdefault("now", at(2026, 11, 5, 9, 0))
    return appeal_file(
        evaluation_id=evaluation.pk, component=kw.pop("component", "cases"), item=item,
        reason="两件超期系暴雨封路所致", actor=actor, **kw,
    )  # fmt: skip


def test_deductions_list_items_and_payment_penalties(published: Evaluation) -> None:
    found = {(d.component, d.item): d for d in deductions_of(published)}
    assert found["cases", "overdue"].quantity == D(2)
    assert found["cases", "overdue"].deduction == D("2.00")
    assert found["cases", "verified_complaint"].quantity == D(1)
    penalty = found["payment", "complaint_unfixed"]
    assert penalty.is_penalty
    assert penalty.deduction == D("10000.00")


def test_overturn_makes_a_new_revision_and_keeps_the_history(
    published: Evaluation, personas: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        appeal = _file(published, personas.operator_a, files=[SimpleUploadedFile("a.jpg", jpeg())])
    assert appeal.deadline == at(2026, 11, 11)  # 7 calendar days after 3 Nov, end of day
    assert AppealEvidence.objects.get(appeal=appeal).content_type == "image/jpeg"
    assert Notification.objects.filter(
        recipient=personas.supervisor, code="evaluation.appeal.filed"
    ).exists()
    with django_capture_on_commit_callbacks(execute=True):
        decided = appeal_decide(
            appeal_id=appeal.pk, decision="overturned", actor=personas.supervisor, note="属实"
        )
    revised = decided.result_revision
    assert revised is not None
    assert revised.revision == 2
    assert revised.is_current
    published.refresh_from_db()
    assert not published.is_current
    assert published.score == D("46.00")
    assert revised.score == D("48.00")  # the 2 overdue points come back
    assert revised.inputs["components"]["cases"]["findings"]["overdue"] == "0"
    assert revised.inputs["appeals"] == [
        {"appeal": appeal.pk, "component": "cases", "item": "overdue", "from": "2", "to": "0"}
    ]
    # reproducible: the stored snapshot and inputs give the stored result
    assert recompute(revised.scheme_snapshot, revised.inputs).as_dict() == revised.result
    assert Period.objects.get(month=OCT).is_frozen
    diff = revision_diff(published, revised)
    assert diff["totals"]["score"] == (D("46.00"), D("48.00"))
    assert [i["item"] for i in diff["items"]] == ["overdue"]
    codes = set(AuditEvent.objects.values_list("code", flat=True))
    assert {"evaluation.appeal.filed", "evaluation.appeal.decided", "evaluation.revised"} <= codes
    assert Notification.objects.filter(
        recipient=personas.operator_a, code="evaluation.appeal.decided"
    ).exists()


def test_partly_overturned_sets_the_adjusted_quantity(published: Evaluation, personas: Any) -> None:
    appeal = _file(published, personas.operator_a)
    for bad in ("2", "-1", "abc", "NaN"):
        with pytest.raises(DomainError):
            appeal_decide(appeal_id=appeal.pk, decision="partly", actor=personas.supervisor,
                          note="部分属实", adjusted_quantity=bad)  # fmt: skip
    decided = appeal_decide(appeal_id=appeal.pk, decision="partly", actor=personas.supervisor,
                            note="部分属实", adjusted_quantity="1")  # fmt: skip
    assert decided.result_revision is not None
    assert decided.result_revision.score == D("47.00")
    with pytest.raises(Conflict):
        appeal_decide(appeal_id=appeal.pk, decision="upheld", actor=personas.supervisor, note="x")


def test_upheld_changes_nothing(published: Evaluation, personas: Any) -> None:
    appeal = _file(published, personas.operator_a)
    decided = appeal_decide(
        appeal_id=appeal.pk, decision="upheld", actor=personas.supervisor, note="证据不足"
    )
    assert decided.status == "upheld"
    assert decided.result_revision is None
    assert Evaluation.objects.filter(period__month=OCT, contract=published.contract).count() == 1
    with pytest.raises(DomainError):
        appeal_decide(appeal_id=appeal.pk, decision="maybe", actor=personas.supervisor, note="x")


def test_payment_penalty_appeal_counts_whole_occurrences(
    published: Evaluation, personas: Any
) -> None:
    appeal = _file(published, personas.operator_a, component="payment", item="complaint_unfixed")
    with pytest.raises(DomainError):
        appeal_decide(appeal_id=appeal.pk, decision="partly", actor=personas.supervisor,
                      note="x", adjusted_quantity="0.5")  # fmt: skip
    decided = appeal_decide(
        appeal_id=appeal.pk, decision="overturned", actor=personas.supervisor, note="已整改"
    )
    assert decided.result_revision is not None
    assert decided.result_revision.inputs["penalties"] == {}
    assert revision_diff(published, decided.result_revision)["penalties"] == {
        "complaint_unfixed": (1, 0)
    }


def test_appeal_window_is_editable_data(published: Evaluation, personas: Any) -> None:
    with pytest.raises(Conflict, match=r"closed|截止|关闭"):
        _file(published, personas.operator_a, now=at(2026, 11, 11, 0, 0))
    policy = policy_get()
    policy.appeal_days = 10
    policy.save()
    appeal = _file(published, personas.operator_a, now=at(2026, 11, 11, 0, 0))
    assert appeal.deadline == at(2026, 11, 14)
    policy.appeal_days, policy.appeal_day_kind = 5, "working"
    # 3 Nov 2026 is a Tuesday: 5 working days → Tue 10 Nov, open until its end
    assert appeal_deadline(PUBLISHED, policy) == at(2026, 11, 11)


def test_only_the_operator_files_and_only_a_supervisor_decides(
    published: Evaluation, personas: Any
) -> None:
    with pytest.raises(NotFound):
        _file(published, personas.operator_b)  # another operator: the evaluation does not exist
    with pytest.raises(PermissionDenied):
        _file(published, personas.supervisor)
    appeal = _file(published, personas.operator_a)
    with pytest.raises(PermissionDenied):
        appeal_decide(appeal_id=appeal.pk, decision="upheld", actor=personas.operator_a, note="x")
    with pytest.raises(NotFound):
        appeal_decide(appeal_id=appeal.pk, decision="upheld", actor=personas.operator_b, note="x")
    with pytest.raises(NotFound):
        appeal_withdraw(appeal_id=appeal.pk, actor=personas.operator_b)


def test_one_open_appeal_per_deduction_and_validation(published: Evaluation, personas: Any) -> None:
    appeal = _file(published, personas.operator_a)
    with pytest.raises(Conflict):
        _file(published, personas.operator_a)
    with pytest.raises(DomainError):
        _file(published, personas.operator_a, item="no_such_item")
    with pytest.raises(DomainError):
        _file(published, personas.operator_a, item="verified_complaint",
              files=[SimpleUploadedFile("x.exe", b"MZ\x90\x00")])  # fmt: skip
    with pytest.raises(DomainError):
        appeal_file(evaluation_id=published.pk, component="cases", item="verified_complaint",
                    reason="  ", actor=personas.operator_a, now=at(2026, 11, 5))  # fmt: skip
    appeal_withdraw(appeal_id=appeal.pk, actor=personas.operator_a)
    assert Appeal.objects.get(pk=appeal.pk).status == "withdrawn"
    _file(published, personas.operator_a)  # contestable again once withdrawn


def test_unpublished_month_and_replaced_revisions_cannot_be_appealed(
    published: Evaluation, personas: Any
) -> None:
    appeal = _file(published, personas.operator_a)
    appeal_decide(appeal_id=appeal.pk, decision="overturned", actor=personas.supervisor, note="x")
    with pytest.raises(Conflict):
        _file(published, personas.operator_a, item="verified_complaint")  # r1 is replaced
    Period.objects.filter(month=OCT).update(status="open")
    current = Evaluation.objects.get(contract=published.contract, is_current=True)
    with pytest.raises(NotFound):  # operators do not see unpublished months at all
        _file(current, personas.operator_a, item="verified_complaint")


def test_frozen_month_refuses_a_rerun_after_an_appeal(published: Evaluation, personas: Any) -> None:
    appeal = _file(published, personas.operator_a)
    appeal_decide(appeal_id=appeal.pk, decision="overturned", actor=personas.supervisor, note="x")
    with pytest.raises(Conflict):
        evaluate_month(month=OCT)
    assert Evaluation.objects.filter(is_current=True, contract=published.contract).count() == 1
