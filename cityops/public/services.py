"""Writes of the residents' pages: satisfaction feedback and the per-IP rate limit."""

from __future__ import annotations

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from cityops.cases.models import Case, Status
from cityops.core.audit import audit_record
from cityops.core.errors import Conflict, DomainError
from cityops.public.models import Feedback


def feedback_submit(*, case: Case, score: int, comment: str = "") -> Feedback:
    """The reporter rates a closed case once (the caller has checked the tracking code)."""
    if case.status != Status.CLOSED:
        raise DomainError(_("Feedback can be given once the case is closed."), field="score")
    if not 1 <= int(score) <= 5:
        raise DomainError(_("Choose a score from 1 to 5."), field="score")
    try:
        with transaction.atomic():
            feedback = Feedback.objects.create(case=case, score=score, comment=comment.strip())
            audit_record(
                code="case.feedback",
                target=case,
                actor=None,
                summary=f"{case.number} {score}",
                data={"score": score},
            )
    except IntegrityError:
        raise Conflict(_("This case has already been rated. Thank you!")) from None
    return feedback


def report_limit() -> tuple[int, int]:
    return (
        int(settings.CITYOPS_PUBLIC_REPORTS_PER_HOUR),
        3600,
    )


def hint_limit() -> tuple[int, int]:
    return (int(settings.CITYOPS_PUBLIC_HINTS_PER_HOUR), 3600)
