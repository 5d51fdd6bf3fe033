"""Policy documents from draft to issue: versions kept, consultation answered with reasons,
legality review, approval by a meeting, a validated and unique 文号, expiry reminder."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from cityops.core.errors import Conflict, DomainError, PermissionDenied
from cityops.decisions.models import Answer, DocumentStatus, ItemKind, ItemStatus
from cityops.decisions.services import documents as docs
from cityops.decisions.services.items import item_create, item_sign
from cityops.decisions.testing import Desk, pdf_file
from cityops.notifications.models import Notification

pytestmark = pytest.mark.django_db


def reviewed(desk: Desk) -> Any:
    document = docs.document_create(
        title="住宅小区物业管理实施意见", drafting_unit=desk.housing, actor=desk.section
    )
    docs.document_version_add(
        document_id=document.pk, file=pdf_file("v1.pdf"), actor=desk.housing_liaison
    )
    round_ = docs.document_consult(
        document_id=document.pk,
        opens_on=dt.date(2026, 9, 1),
        closes_on=dt.date(2026, 9, 15),
        actor=desk.housing_liaison,
    )
    comment = docs.consultation_comment_add(
        round_id=round_.pk, unit=desk.urban, text="建议明确兜底物业", actor=desk.urban_liaison
    )
    with pytest.raises(DomainError, match="Answer every"):
        docs.document_submit_review(document_id=document.pk, actor=desk.housing_liaison)
    with pytest.raises(DomainError):
        docs.consultation_answer(
            comment_id=comment.pk, answer=Answer.NOT_ADOPTED, reason="", actor=desk.housing_liaison
        )
    docs.consultation_answer(
        comment_id=comment.pk, answer=Answer.PARTLY, reason="部分采纳", actor=desk.housing_liaison
    )
    docs.document_version_add(
        document_id=document.pk,
        file=pdf_file("v2.pdf"),
        note="吸收意见",
        actor=desk.housing_liaison,
    )
    docs.document_submit_review(document_id=document.pk, actor=desk.housing_liaison)
    with pytest.raises(DomainError, match="legality"):
        docs.document_approve(document_id=document.pk, meeting=desk.meeting, actor=desk.section)
    docs.document_review(document_id=document.pk, passed=True, note="合法", actor=desk.section)
    docs.document_approve(document_id=document.pk, meeting=desk.meeting, actor=desk.section)
    return document


def test_from_draft_to_issue_closes_the_item(desk: Desk) -> None:
    document = reviewed(desk)
    item = item_create(
        meeting=desk.meeting,
        text="出台实施意见",
        kind=ItemKind.DOCUMENT,
        lead_unit=desk.housing,
        document=document,
        actor=desk.section,
    )
    item_sign(item_id=item.pk, actor=desk.housing_liaison)
    assert [v.number for v in document.versions.all()] == [1, 2]
    with pytest.raises(DomainError, match="hexagonal"):
        docs.document_issue(
            document_id=document.pk,
            number="通政办发[2022]12号",
            issued_on=dt.date(2022, 3, 1),
            effective_on=dt.date(2022, 3, 1),
            valid_until=None,
            actor=desk.section,
        )
    with pytest.raises(DomainError, match="year of issue"):
        docs.document_issue(
            document_id=document.pk,
            number="通政办发〔2021〕12号",
            issued_on=dt.date(2022, 3, 1),
            effective_on=dt.date(2022, 3, 1),
            valid_until=None,
            actor=desk.section,
        )
    docs.document_issue(
        document_id=document.pk,
        number="通政办发〔2022〕12号",
        issued_on=dt.date(2022, 3, 1),
        effective_on=dt.date(2022, 4, 1),
        valid_until=dt.date(2027, 3, 31),
        actor=desk.section,
    )
    document.refresh_from_db()
    item.refresh_from_db()
    assert document.status == DocumentStatus.ISSUED
    assert str(document) == "《住宅小区物业管理实施意见》（通政办发〔2022〕12号）"
    assert item.status == ItemStatus.DONE
    assert item.done_at is not None


def test_a_document_number_is_used_once(desk: Desk) -> None:
    first = reviewed(desk)
    docs.document_issue(
        document_id=first.pk,
        number="通政办发〔2022〕12号",
        issued_on=dt.date(2022, 3, 1),
        effective_on=dt.date(2022, 3, 1),
        valid_until=None,
        actor=desk.section,
    )
    second = docs.document_create(
        title="环卫一体化方案", drafting_unit=desk.urban, actor=desk.section
    )
    docs.document_version_add(document_id=second.pk, file=pdf_file(), actor=desk.urban_liaison)
    docs.document_submit_review(document_id=second.pk, actor=desk.urban_liaison)
    docs.document_review(document_id=second.pk, passed=True, note="合法", actor=desk.section)
    docs.document_approve(document_id=second.pk, meeting=desk.meeting, actor=desk.section)
    with pytest.raises(DomainError, match="already used"):
        docs.document_issue(
            document_id=second.pk,
            number="通政办发〔2022〕12号",
            issued_on=dt.date(2022, 5, 1),
            effective_on=dt.date(2022, 5, 1),
            valid_until=None,
            actor=desk.section,
        )
    second.refresh_from_db()
    assert second.status == DocumentStatus.APPROVED


def test_only_the_drafting_unit_drafts(desk: Desk, personas: Any) -> None:
    document = docs.document_create(title="方案", drafting_unit=desk.housing, actor=desk.section)
    with pytest.raises(PermissionDenied):
        docs.document_version_add(
            document_id=document.pk, file=pdf_file(), actor=desk.urban_liaison
        )
    with pytest.raises(PermissionDenied):
        docs.document_create(title="x", drafting_unit=desk.housing, actor=desk.housing_liaison)
    with pytest.raises(DomainError):  # no draft uploaded yet
        docs.document_consult(
            document_id=document.pk,
            opens_on=dt.date(2026, 1, 1),
            closes_on=dt.date(2026, 1, 9),
            actor=desk.housing_liaison,
        )
    with pytest.raises(Conflict):  # not under review
        docs.document_approve(document_id=document.pk, meeting=desk.meeting, actor=desk.section)


def test_a_failed_review_returns_to_drafting(desk: Desk) -> None:
    document = docs.document_create(title="方案", drafting_unit=desk.housing, actor=desk.section)
    docs.document_version_add(document_id=document.pk, file=pdf_file(), actor=desk.housing_liaison)
    docs.document_submit_review(document_id=document.pk, actor=desk.housing_liaison)
    docs.document_review(
        document_id=document.pk, passed=False, note="缺少上位法依据", actor=desk.section
    )
    document.refresh_from_db()
    assert (document.status, document.legality_note) == (DocumentStatus.DRAFT, "缺少上位法依据")


def test_expiry_reminder_once_then_expired(
    desk: Desk, django_capture_on_commit_callbacks: Any
) -> None:
    document = reviewed(desk)
    docs.document_issue(
        document_id=document.pk,
        number="通政办发〔2022〕12号",
        issued_on=dt.date(2022, 3, 1),
        effective_on=dt.date(2022, 3, 1),
        valid_until=dt.date(2027, 2, 28),
        actor=desk.section,
    )
    assert docs.documents_expire(today=dt.date(2026, 11, 1)) == {"reminded": 0, "expired": 0}
    with django_capture_on_commit_callbacks(execute=True):
        assert docs.documents_expire(today=dt.date(2026, 12, 1)) == {"reminded": 1, "expired": 0}
    assert docs.documents_expire(today=dt.date(2026, 12, 2)) == {"reminded": 0, "expired": 0}
    assert (
        Notification.objects.filter(
            code="decision.document.expiring", recipient=desk.housing_liaison
        ).count()
        == 1
    )
    assert docs.documents_expire(today=dt.date(2027, 3, 1)) == {"reminded": 0, "expired": 1}
    document.refresh_from_db()
    assert document.status == DocumentStatus.EXPIRED
