"""Guards named in the transition table. Each refuses with a clear reason, and may resolve input
(the unit to dispatch to, the merge target) into ``ctx.resolved``.

The answer says whose move it is: input the request lacks or got wrong on its own terms (no
reason, no photo) is a ``DomainError`` (400); a record the input names that does not exist is
``NotFound`` (404); input that is well-formed but clashes with the case's or the catalogue's
current state (already urgent, a deadline not later than the current one, a catalogue without a
filing condition or time limit) is a ``Conflict`` (409). The API schema states the first kind
per action (``cityops.api.schema``), so a schema-valid request never gets a 400.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from cityops.cases.models import (
    TERMINAL_STATUSES,
    Case,
    Category,
    PhotoKind,
    TimeLimit,
    Urgency,
)
from cityops.cases.services.context import TransitionContext
from cityops.cases.services.photos import photos_prepare
from cityops.core.errors import Conflict, DomainError, NotFound
from cityops.registry.models import Organisation


def _reason(ctx: TransitionContext) -> None:
    if not ctx.reason.strip():
        raise DomainError(_("A reason is required."), code="reason_required", field="reason")


def _note(ctx: TransitionContext) -> None:
    note = str(getattr(ctx.payload, "note", None) or "").strip()
    if not note:
        raise DomainError(_("A note on the work done is required."), field="note")
    ctx.data["note"] = note


def _filing_condition(ctx: TransitionContext) -> None:
    condition = ctx.case.category.filing_condition.strip()
    if not condition:
        raise Conflict(
            _("The category has no filing condition: complete the catalogue first."),
            code="no_filing_condition",
        )
    if getattr(ctx.payload, "condition_met", None) is not True:
        raise DomainError(
            _("Filing must confirm that the case meets the filing condition: %(c)s")
            % {"c": condition},
            code="filing_condition",
            field="condition_met",
        )
    ctx.data["filing_condition"] = condition


def _as_org(value: Any) -> Organisation | None:
    if value is None or value == "":
        return None
    if isinstance(value, Organisation):
        return value
    try:
        return Organisation.objects.filter(pk=int(value), active=True).first()
    except (TypeError, ValueError):
        return None


def _unit(ctx: TransitionContext) -> None:
    case = ctx.case
    requested = getattr(ctx.payload, "unit", None)
    unit = _as_org(requested)
    if requested not in (None, "") and unit is None:
        raise NotFound(_("Unknown or inactive unit."), field="unit")
    if unit is None:
        unit = (
            Organisation.objects.filter(pk=case.routed_org_id, active=True).first()
            if case.routed_org_id is not None
            else None
        )
        if unit is None:
            raise Conflict(
                _("Routing found no responsible unit: choose one and give a reason."),
                code="unit_required",
                field="unit",
            )
    elif unit.pk != case.routed_org_id:
        if not ctx.reason.strip():
            raise Conflict(
                _("Dispatching to another unit than the routed one needs a reason."),
                code="reason_required",
                field="reason",
            )
        ctx.data["override"] = True
    ctx.resolved["unit"] = unit
    ctx.data["unit"] = {"id": unit.pk, "name": unit.name}


def time_limit_for(category: Category, urgency: str) -> TimeLimit:
    limit = TimeLimit.objects.filter(category=category, urgency=urgency).first()
    if limit is None and urgency == Urgency.URGENT:
        limit = TimeLimit.objects.filter(category=category, urgency=Urgency.NORMAL).first()
    if limit is None:
        raise Conflict(
            _("Category %(c)s has no handling time limit for this urgency.") % {"c": str(category)},
            code="no_time_limit",
        )
    return limit


def _time_limit(ctx: TransitionContext) -> None:
    ctx.resolved["limit"] = time_limit_for(ctx.case.category, ctx.case.urgency)


def _new_deadline(ctx: TransitionContext) -> None:
    value = getattr(ctx.payload, "new_deadline", None)
    if not isinstance(value, dt.datetime) or timezone.is_naive(value):
        raise DomainError(
            _("A new deadline (date and time with time zone) is required."),
            field="new_deadline",
        )
    current = ctx.case.deadline_at
    if value <= ctx.now or (current is not None and value <= current):
        raise Conflict(
            _("The new deadline must be later than the current deadline and than now."),
            field="new_deadline",
        )
    ctx.data["new_deadline"] = value.isoformat()


def _photos(kind: str) -> Callable[[TransitionContext], None]:
    def check(ctx: TransitionContext) -> None:
        photos = list(getattr(ctx.payload, "photos", None) or ())
        if not photos:
            raise DomainError(_("At least one photo is required."), field="photos")
        ctx.photos.append((kind, photos_prepare(photos)))

    return check


def _merge_target(ctx: TransitionContext) -> None:
    into = getattr(ctx.payload, "into", None)
    into_id = into.pk if isinstance(into, Case) else into
    if not into_id:
        raise DomainError(_("Choose another, existing case to merge into."), field="into")
    target = Case.objects.filter(pk=into_id).first()
    if target is None:
        raise NotFound(_("Choose another, existing case to merge into."), field="into")
    if target.pk == ctx.case.pk:
        raise Conflict(_("Choose another, existing case to merge into."), field="into")
    if target.status in TERMINAL_STATUSES:
        raise Conflict(_("The case to merge into is no longer open."), field="into")
    if (target.reported_at, target.pk) > (ctx.case.reported_at, ctx.case.pk):
        raise Conflict(_("Merge a duplicate into the earlier case."), field="into")
    ctx.resolved["into"] = target
    ctx.data["into"] = target.number


def _not_urgent(ctx: TransitionContext) -> None:
    if ctx.case.urgency == Urgency.URGENT:
        raise Conflict(_("The case is already urgent."), code="already_urgent")


def _category(ctx: TransitionContext) -> None:
    value = getattr(ctx.payload, "category", None)
    category = value if isinstance(value, Category) else None
    if category is None and value:
        category = Category.objects.filter(pk=value).first()
    if category is None or not category.active or not category.is_minor:
        raise DomainError(_("Choose an active minor category."), field="category")
    if category.pk == ctx.case.category_id:
        raise Conflict(_("The case already has this category."), field="category")
    ctx.resolved["category"] = category
    ctx.data["category"] = {"from": ctx.case.category.code, "to": category.code}


def _reopen_window(ctx: TransitionContext) -> None:
    """Only within ``CITYOPS_REOPEN_DAYS`` (◐ 14 calendar days) of the close, and only a case
    a unit handled (a self-handled case has no unit to send it back to: report it anew)."""
    case = ctx.case
    days = int(settings.CITYOPS_REOPEN_DAYS)
    if case.closed_at is None or ctx.now > case.closed_at + dt.timedelta(days=days):
        raise DomainError(
            _("A case can be reopened within %(days)d days of its closing; please report it anew.")
            % {"days": days},
            code="reopen_window",
        )
    if case.assignee_id is None:
        raise DomainError(
            _("This case was not handled by a unit; please report it anew."), code="reopen_unit"
        )


GUARDS: dict[str, Callable[[TransitionContext], None]] = {
    "reason": _reason,
    "note": _note,
    "filing_condition": _filing_condition,
    "unit": _unit,
    "time_limit": _time_limit,
    "new_deadline": _new_deadline,
    "after_photos": _photos(PhotoKind.AFTER),
    "check_photos": _photos(PhotoKind.VERIFY),
    "merge_target": _merge_target,
    "not_urgent": _not_urgent,
    "category": _category,
    "reopen_window": _reopen_window,
}
