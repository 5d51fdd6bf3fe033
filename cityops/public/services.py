"""Writes of the residents' pages: satisfaction feedback, "this is my problem too", "still not
fixed" (reopen through the case workflow), the confirmation SMS, and the per-IP rate limits."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cityops.cases.models import OPEN_STATUSES, Case, Status
from cityops.cases.query import is_public_visible
from cityops.cases.services.payloads import Reopen
from cityops.cases.services.workflow import case_transition
from cityops.core.audit import audit_record
from cityops.core.crypto import blind_index, encrypt_str
from cityops.core.errors import Conflict, DomainError, NotFound
from cityops.notifications.phone import phone_message_queue
from cityops.public.models import Feedback, Support


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


def supporter_key(*, user_id: int | None, device: str) -> str:
    """Who supports: the signed-in user, else the browser's random device cookie (keyed hash:
    the table holds neither a user id nor the cookie)."""
    ident = f"user:{user_id}" if user_id else f"device:{device}"
    return blind_index(ident, purpose="public_support")


def case_support(*, case: Case, supporter: str, actor: Any = None) -> int:
    """ "This is my problem too" on an open public case: once per person/device, audited.
    Returns the case's supporter count."""
    if not is_public_visible(case) or case.status not in OPEN_STATUSES:
        raise NotFound(_("Only open public reports can be supported."))
    try:
        with transaction.atomic():
            Support.objects.create(case=case, supporter=supporter)
            audit_record(
                code="case.supported",
                target=case,
                actor=actor,
                summary=case.number,
                data={"supporter": supporter[:12]},
            )
    except IntegrityError:
        raise Conflict(_("You already said this is your problem too.")) from None
    return Support.objects.filter(case=case).count()


def case_reopen_by_reporter(*, case: Case, reason: str, actor: Any = None) -> Case:
    """ "Still not fixed": the reporter (proved by the tracking code) reopens a closed case for
    rework through the case workflow (``reopen``; window ``CITYOPS_REOPEN_DAYS``)."""
    return case_transition(
        case_id=case.pk,
        action="reopen",
        actor=actor,
        payload=Reopen(reason=reason),
        reporter=True,
        expected_version=case.version,
    )


def report_confirmation_sms(*, case: Case, phone: str, code: str, link: str) -> None:
    """The number, the private code and the tracking link by SMS (the outbox sends it after
    the commit, with retries). The code is in the message on purpose: it is the reporter's
    only way back to the case without an account."""
    phone = phone.strip()
    if not phone:
        return
    phone_message_queue(
        phone_token=encrypt_str(phone),
        text=format_lazy(
            gettext_lazy(
                "Your report {number} was received. Private code: {code}. Follow it: {link}"
            ),
            number=case.number,
            code=code,
            link=link,
        ),
        dedupe_key=f"case:{case.pk}:sms:received",
        target=case,
    )


def support_limit() -> tuple[int, int]:
    return (int(settings.CITYOPS_PUBLIC_SUPPORTS_PER_HOUR), 3600)
