"""Intake of many public reports at once: the queue drain of a channel (Open311) files the
reports it has accepted in one transaction per batch.

Every report passes exactly the checks of ``case_report`` (``intake.report_draft``); only the
writes are set-based: one counter update per day for the numbers, then one multi-row INSERT
each for the cases, their report events and their audit rows. A report that fails its checks
is answered with its ``DomainError`` and writes nothing; the others are filed.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone

from cityops.cases.models import Case, CaseEvent, Category, Source, Urgency
from cityops.cases.routing import Routing
from cityops.cases.services.intake import (
    category_check,
    next_numbers,
    report_audit,
    report_draft,
    report_event,
    report_seal,
    reserve_early,
)
from cityops.core.errors import DomainError
from cityops.core.models import AuditEvent
from cityops.registry.models import Component
from cityops.registry.spatial import pinned_index


@dataclass(frozen=True)
class PublicReport:
    """One resident report as a channel received it (the arguments of ``case_report``)."""

    category_id: int
    lon: float
    lat: float
    address: str
    description: str
    reported_at: dt.datetime
    answers: Mapping[str, Any] = field(default_factory=dict)
    reporter_name: str = ""
    reporter_phone: str = ""
    client: str = ""
    idempotency_key: str = ""
    component_id: int | None = None
    # A number the channel reserved when it received the report (``next_numbers`` of the
    # report's day): the case is filed under it; empty takes the next one.
    number: str = ""


Outcome = Case | DomainError


def case_report_many(
    reports: Sequence[PublicReport],
    *,
    attach: Callable[[list[Outcome]], object] | None = None,
) -> list[Outcome]:
    """File public reports together; one outcome per report, in order.

    ``attach(outcomes)`` runs inside the transaction once the cases exist, so that the
    channel's own records commit with them or not at all. An ``IntegrityError`` (a case with
    the same client and idempotency key already exists) rolls the whole batch back: the
    caller then files those reports one by one with ``case_report``, which answers the
    existing case. A report with a reserved ``number`` is filed under it (no counter update).
    """
    categories = {
        c.pk: c
        for c in Category.objects.filter(pk__in={r.category_id for r in reports})
        .select_related("parent")
        .prefetch_related("questions")
    }
    component_ids = {r.component_id for r in reports if r.component_id is not None}
    components = {c.pk: c for c in Component.objects.filter(pk__in=component_ids)}
    outcomes: list[Outcome] = []
    drafts: list[tuple[Case, Routing]] = []
    with pinned_index():  # one registry-version read for the batch
        for report in reports:
            try:
                case, decision = report_draft(
                    source=Source.PUBLIC,
                    cat=category_check(categories.get(report.category_id, report.category_id)),
                    lon=report.lon,
                    lat=report.lat,
                    address=report.address,
                    description=report.description,
                    answers=report.answers,
                    reporter_name=report.reporter_name,
                    reporter_phone=report.reporter_phone,
                    user=None,
                    coord_sys="wgs84",
                    client=report.client[:80] or Source.PUBLIC,
                    key=report.idempotency_key.strip()[:100],
                    urgency=Urgency.NORMAL,
                    component=components.get(report.component_id)
                    if report.component_id is not None
                    else None,
                    reported_at=report.reported_at,
                )
            except DomainError as exc:
                outcomes.append(exc)
                continue
            case.number = report.number
            outcomes.append(case)
            drafts.append((case, decision))
    unnumbered = [case for case, _d in drafts if not case.number]
    early = reserve_early()
    numbers = _numbers(unnumbered) if early else {}
    with transaction.atomic():
        if not early:
            numbers = _numbers(unnumbered)
        for case, _decision in drafts:
            report_seal(case, case.number or numbers[id(case)])
        Case.objects.bulk_create([case for case, _d in drafts])
        CaseEvent.objects.bulk_create([report_event(case, d) for case, d in drafts])
        AuditEvent.objects.bulk_create([report_audit(case, d, None) for case, d in drafts])
        if attach is not None:
            attach(outcomes)
    return outcomes


def _numbers(cases: list[Case]) -> dict[int, str]:
    """Numbers for the cases, each of its report day (local), in report order."""
    days = [timezone.localtime(case.reported_at).date() for case in cases]
    taken: dict[dt.date, list[str]] = {
        day: next_numbers(day, count) for day, count in sorted(Counter(days).items())
    }
    numbers: dict[int, str] = {}
    for case, day in zip(cases, days, strict=True):
        numbers[id(case)] = taken[day].pop(0)
    return numbers
