"""Personal data over time (PIPL): a reporter's contact data is erased a configurable time
after the case closes; the case, its history and its figures stay.

``reporter_contacts_erase`` is the scheduled job (``reporter_retention``, registered in
``CasesConfig.ready``). It erases ``reporter_name``, ``reporter_phone`` and the phone's blind
index of cases closed more than ``CITYOPS_REPORTER_RETENTION_DAYS`` days ago (0 = never), the
numbers of the SMS sent to those reporters (``notifications.PhoneMessage``), and whatever the
apps that registered an erase hook keep about them (Open311: e-mail, device and account ids).
Encrypted columns cannot be filtered by value, so the job selects by the marker
``Case.reporter_erased_at``. Bounded batches, each one transaction with one audit event
(``case.reporter_erased``, the case ids): a job cut off midway loses nothing and resumes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from cityops.cases.models import Case
from cityops.core.audit import audit_record
from cityops.notifications.models import PhoneMessage

BATCH = 500

# Apps that keep a case reporter's contact data elsewhere erase it here (cases must not import
# them): each hook gets the ids of the cases of the batch, inside the batch's transaction.
EraseHook = Callable[[Sequence[int]], None]
_HOOKS: dict[str, EraseHook] = {}


def reporter_erase_hook_register(name: str, hook: EraseHook) -> None:
    """Called in ``AppConfig.ready`` by an app that keeps contact data of case reporters."""
    _HOOKS[name] = hook


def reporter_erase_cutoff(*, now: dt.datetime | None = None) -> dt.datetime | None:
    """Cases closed before this moment lose their reporter's contact data (None: never)."""
    days = int(settings.CITYOPS_REPORTER_RETENTION_DAYS)
    if days <= 0:
        return None
    return (now or timezone.now()) - dt.timedelta(days=days)


def reporter_contacts_erase(*, batch: int = BATCH, now: dt.datetime | None = None) -> int:
    """Erase the contact data of every reporter whose case closed before the cutoff; returns
    how many cases were erased."""
    cutoff = reporter_erase_cutoff(now=now)
    if cutoff is None:
        return 0
    total = 0
    while True:
        erased = _erase_batch(cutoff=cutoff, batch=batch, now=now or timezone.now())
        total += erased
        if erased < batch:
            return total


def _erase_batch(*, cutoff: dt.datetime, batch: int, now: dt.datetime) -> int:
    with transaction.atomic():
        ids = list(
            Case.objects.filter(closed_at__lt=cutoff, reporter_erased_at__isnull=True)
            .order_by("id")
            .values_list("id", flat=True)[:batch]
        )
        if not ids:
            return 0
        # Lock, then the marker condition again (re-read after the lock): two jobs running at
        # once erase (and audit) each case once.
        erased = list(
            Case.objects.filter(id__in=ids, reporter_erased_at__isnull=True)
            .select_for_update()
            .order_by("id")
            .values_list("id", flat=True)
        )
        if not erased:
            return len(ids)
        Case.objects.filter(id__in=erased).update(
            reporter_name="", reporter_phone="", reporter_phone_index="", reporter_erased_at=now
        )
        PhoneMessage.objects.filter(
            target_type=Case._meta.label_lower, target_id__in=[str(i) for i in erased]
        ).exclude(phone_token="").update(phone_token="")
        for hook in _HOOKS.values():
            hook(erased)
        audit_record(
            code="case.reporter_erased",
            target_type=Case._meta.label_lower,
            summary=f"{len(erased)} cases",
            data={"case_ids": erased, "cutoff": cutoff.isoformat()},
        )
        return len(ids)


def reporter_retention_job() -> None:
    """The scheduler's entry point."""
    reporter_contacts_erase()
