"""What the decisions services share: settings, the calendar, recipients, attachments."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.core.files.base import ContentFile
from django.db.models import QuerySet
from django.utils import timezone

from cityops.accounts.models import Membership, Role, User
from cityops.decisions.ladder import Thresholds
from cityops.decisions.models import ItemReport, ReportAttachment, SupervisionSettings
from cityops.evaluations.appeals.services import evidence_read


def supervision_settings() -> SupervisionSettings:
    return SupervisionSettings.current()


def thresholds(config: SupervisionSettings | None = None) -> Thresholds:
    c = config or supervision_settings()
    return Thresholds(
        reminder_left=c.reminder_working_days,
        notice_late=c.notice_late_working_days,
        listed_late=c.listed_late_working_days,
        interview_late=c.interview_late_working_days,
    )


def end_of_day(day: dt.date) -> dt.datetime:
    """The last day of a period ends at 24:00 (Civil Code art. 203): the next day's 00:00."""
    tz = timezone.get_current_timezone()
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min, tzinfo=tz)


def users_with(role: str, *, organisation_ids: Sequence[int] | None = None) -> QuerySet[User]:
    memberships = Membership.objects.filter(role=role, active=True)
    if organisation_ids is not None:
        memberships = memberships.filter(organisation_id__in=list(organisation_ids))
    return User.objects.filter(pk__in=memberships.values("user_id"), is_active=True)


def liaisons_of(*organisation_ids: int) -> QuerySet[User]:
    return users_with(Role.UNIT_LIAISON, organisation_ids=organisation_ids)


def section_users() -> QuerySet[User]:
    return users_with(Role.SUPERVISION_SECTION)


def files_checked(files: Sequence[Any]) -> list[tuple[str, str, bytes]]:
    """Uploads judged by content (JPEG, PNG, PDF; size and count capped): the one evidence
    reader of the platform (``evaluations.appeals.evidence_read``)."""
    return evidence_read(files)


def attachments_store(report: ItemReport, checked: list[tuple[str, str, bytes]]) -> None:
    for name, kind, data in checked:
        row = ReportAttachment(report=report, name=name, content_type=kind, size=len(data))
        row.file.save(name, ContentFile(data), save=False)
        row.save()
