"""The escalation job: every open item's rung on the ladder (``ladder.standing``), raised
with a compare-and-swap on the level, one ``ItemEscalation`` row per new rung, audited and
notified (listed supervision also to the mayor's office). Scheduled as ``decisions_escalate``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cityops.accounts.models import Role
from cityops.core.audit import audit_record
from cityops.decisions.ladder import standing
from cityops.decisions.models import DecisionItem, ItemEscalation, ItemStatus, Level
from cityops.decisions.services.common import (
    liaisons_of,
    section_users,
    supervision_settings,
    thresholds,
    users_with,
)
from cityops.decisions.services.items import item_url
from cityops.notifications.services import notify
from cityops.workcal.selectors import get_calendar

# Items awaiting verification are with the supervision section, not late by the unit.
ESCALATED = (ItemStatus.ASSIGNED, ItemStatus.SIGNED, ItemStatus.IN_PROGRESS)

TITLES: dict[int, Any] = {
    Level.REMINDER: _("Reminder (催办): a decision item needs your attention"),
    Level.NOTICE: _("Supervision notice (督办通知): a decision item is late"),
    Level.LISTED: _("Listed supervision (挂牌督办): a decision item is listed"),
    Level.INTERVIEW: _("Interview (约谈) due: a decision item is badly late"),
}


def items_escalate(*, now: dt.datetime | None = None) -> int:
    """Raise every open item to the rung it has reached; returns how many items moved."""
    now = now or timezone.now()
    calendar = get_calendar()
    limits = thresholds(supervision_settings())
    moved = 0
    for item in DecisionItem.objects.filter(status__in=ESCALATED).only(
        "pk",
        "status",
        "due_at",
        "sign_due_at",
        "next_report_due_at",
        "escalation_level",
        "lead_unit_id",
        "text",
    ):
        found = standing(
            calendar,
            now=now,
            due_at=item.due_at,
            sign_due_at=item.sign_due_at if item.status == ItemStatus.ASSIGNED else None,
            report_due_at=item.next_report_due_at
            if item.status == ItemStatus.IN_PROGRESS
            else None,
            thresholds=limits,
        )
        if found.level <= item.escalation_level:
            continue
        with transaction.atomic():
            changed = DecisionItem.objects.filter(
                pk=item.pk, escalation_level=item.escalation_level, status__in=ESCALATED
            ).update(escalation_level=found.level)
            if changed != 1:
                continue  # another run (or a decision) moved it first
            ItemEscalation.objects.bulk_create(
                [
                    ItemEscalation(
                        item=item,
                        level=level,
                        reason=found.reason,
                        late_working_days=found.late_working_days.quantize(
                            found.late_working_days.__class__("0.01")
                        ),
                    )
                    for level in range(item.escalation_level + 1, found.level + 1)
                ]
            )
            audit_record(
                code="decision.item.escalated",
                target=item,
                data={
                    "from": item.escalation_level,
                    "to": found.level,
                    "reason": found.reason,
                    "late_working_days": str(found.late_working_days),
                },
            )
            recipients = list(liaisons_of(item.lead_unit_id))
            if found.level >= Level.NOTICE:
                recipients += list(section_users())
            if found.level >= Level.LISTED:
                recipients += list(users_with(Role.MAYOR_VIEWER))
            notify(
                recipients=recipients,
                code="decision.escalated",
                title=TITLES[found.level],
                body=item.text[:200],
                url=item_url(item),
                dedupe_key=f"decision-escalation:{item.pk}:{found.level}:{item.due_at:%Y%m%d}",
                target=item,
            )
        moved += 1
    return moved


def escalate_job() -> int:
    return items_escalate()
