"""Writes of the residents' pages: satisfaction feedback and the per-IP rate limit."""

from __future__ import annotations

import math
import time

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.http import HttpResponse
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


def rate_limit_hit(*, scope: str, ip: str, limit: int, window_s: int) -> int | None:
    """Count one request of ``ip`` in ``scope``; when it exceeds ``limit`` per window, the
    seconds until the window ends (for the 429's ``Retry-After``), else None.

    Cache-based fixed window (aligned to multiples of ``window_s``, so the wait is known):
    cheap, shared by every process when the cache is Redis. It stops floods from one address
    without asking real users to solve puzzles.
    """
    now = time.time()
    window = int(now // window_s)
    key = f"ratelimit:{scope}:{ip}:{window}"
    cache.add(key, 0, timeout=window_s + 1)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window_s + 1)
        count = 1
    if count <= limit:
        return None
    return max(1, math.ceil((window + 1) * window_s - now))


def too_many_requests(response: HttpResponse, wait: int) -> HttpResponse:
    """The one way a public form answers over its rate limit: 429 with ``Retry-After``."""
    response.status_code = 429
    response["Retry-After"] = str(wait)
    return response


def report_limit() -> tuple[int, int]:
    return (
        int(settings.CITYOPS_PUBLIC_REPORTS_PER_HOUR),
        3600,
    )


def hint_limit() -> tuple[int, int]:
    return (int(settings.CITYOPS_PUBLIC_HINTS_PER_HOUR), 3600)
