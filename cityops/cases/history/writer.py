"""Writing planned days as rows: numbers, ``Case`` rows, then their ``CaseEvent`` trails.

Numbers come from each day's ``CaseNumberCounter`` like intake's; cases go in with
``bulk_create`` (merged cases after their targets, so ``merged_into`` has a key), events with
one ``executemany``, all in one transaction per batch of days. Generated cases carry
``client = TAG``, which is how ``history_delete`` and ``--replace`` find them.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction
from django.db.models import Max, OuterRef, Subquery

from cityops.cases.history.planner import Planned
from cityops.cases.models import Case, CaseEvent, CaseNumberCounter
from cityops.cases.services.intake import tracking_code_for, tracking_hash
from cityops.core.crypto import blind_index

TAG = "history"  # Case.client of generated cases


@dataclass
class Result:
    """What a run wrote (``open`` is counted by ``history_generate`` at the end)."""

    cases: int = 0
    events: int = 0
    open: int = 0
    by_status: dict[str, int] = field(default_factory=dict)


def _claim_numbers(day: dt.date, n: int) -> list[str]:
    """Numbers like intake's (YYYYMMDD + 5 digits) from the day's counter, claimed at once."""
    counter, _created = CaseNumberCounter.objects.select_for_update().get_or_create(day=day)
    first = counter.last + 1
    counter.last += n
    counter.save(update_fields=["last"])
    return [f"{day:%Y%m%d}{k:05d}" for k in range(first, first + n)]


def _case_row(p: Planned, nonce: str) -> Case:
    d, spec, routing, place = p.draft, p.spec, p.routing, p.place
    assert d is not None
    ctx = place.ctx
    name, phone = p.reporter
    case = Case(
        number=p.number,
        source=spec.source,
        category=p.info.category,
        urgency=spec.urgency,
        status=d.status,
        version=len(d.events),
        description=p.description,
        address=place.address,
        answers=p.answers,
        lon=place.lon,
        lat=place.lat,
        grid_id=ctx.grid_id,
        community_id=ctx.community_id,
        street_id=ctx.street_id,
        component_id=place.component_id if p.info.kind == "component" else None,
        service_type=routing.service_type,
        lot_id=routing.lot_id,
        contract_id=routing.contract_id,
        routed_org_id=routing.org_id,
        routing_explanation=routing.explanation,
        assignee_id=d.assignee_id,
        reporter_name=name,
        reporter_phone=phone,
        reporter_phone_index=blind_index(phone, purpose="case_reporter_phone") if phone else "",
        reported_by_id=spec.reporter_id,
        tracking_nonce=nonce,
        client=TAG,
        reported_at=spec.reported_at,
        accepted_at=d.accepted_at,
        filed_at=d.filed_at,
        dispatched_at=d.dispatched_at,
        clock_started_at=d.clock_started_at,
        deadline_at=d.deadline_at,
        yellow_at=d.yellow_at,
        handled_at=d.handled_at,
        verified_at=d.verified_at,
        closed_at=d.closed_at,
        parked_at=d.parked_at,
        parked_intervals=d.parked_intervals,
        parked_total_s=d.parked_total_s,
        limit_amount=d.limit_amount,
        limit_unit=d.limit_unit,
        rework_count=d.rework_count,
        return_count=d.return_count,
        extension_count=d.extension_count,
        light=d.light,
        escalation_level=d.escalation_level,
        red_since=d.red_since,
        pending_request=d.pending_request,
        created_at=spec.reported_at,
    )
    case.tracking_hash = tracking_hash(tracking_code_for(case))
    case.refresh_search_terms()
    return case


def days_write(
    days: list[tuple[dt.date, list[Planned]]], rng: random.Random, result: Result
) -> None:
    """Number, build and insert a batch of whole days in one transaction, adding to ``result``.

    ``rng`` draws the tracking nonces in case order, so a seed's rows never change."""
    with transaction.atomic():
        plain: list[Case] = []
        dups: list[tuple[Planned, Case]] = []
        order: list[tuple[Planned, Case]] = []
        for day, planned in days:
            for p, number in zip(planned, _claim_numbers(day, len(planned)), strict=True):
                p.number = number
        for _day, planned in days:
            for p in planned:
                assert p.draft is not None
                if p.draft.merged and p.target is not None:
                    p.draft.events[-1].data["into"] = p.target.number
                case = _case_row(p, f"{rng.getrandbits(64):032x}")
                order.append((p, case))
                (dups.append((p, case)) if p.draft.merged else plain.append(case))
        Case.objects.bulk_create(plain, batch_size=1000)
        by_planned = {id(p): case for p, case in order}
        for p, case in dups:
            assert p.target is not None
            case.merged_into_id = by_planned[id(p.target)].pk
        Case.objects.bulk_create([case for _p, case in dups], batch_size=1000)
        events: list[tuple[Any, ...]] = []
        ops = connection.ops
        for p, case in order:
            assert p.draft is not None
            for i, e in enumerate(p.draft.events):
                data = e.data
                if i == 0:
                    data = {
                        "source": p.spec.source,
                        "routing": p.routing.matched_by,
                        "generated": TAG,
                    }
                events.append(
                    (
                        case.pk,
                        ops.adapt_datetimefield_value(e.at),
                        e.actor_id,
                        e.action,
                        e.from_status,
                        e.to_status,
                        e.reason,
                        ops.adapt_json_value(data, None),
                    )
                )
            result.by_status[case.status] = result.by_status.get(case.status, 0) + 1
        _insert_events(events)
        ids = [case.pk for _p, case in order]
        if ids:
            # ``updated_at`` is auto_now: set it to the last event's time in one statement.
            last = CaseEvent.objects.filter(case=OuterRef("pk")).order_by().values("case")
            Case.objects.filter(client=TAG, pk__gte=min(ids), pk__lte=max(ids)).update(
                updated_at=Subquery(last.annotate(m=Max("at")).values("m")[:1])
            )
        result.cases += len(order)
        result.events += len(events)


def _insert_events(rows: list[tuple[Any, ...]]) -> None:
    """CaseEvent rows in one ``executemany``: the values are adapted with the backend's own
    adapters (what ``bulk_create`` does per field), without building a model per row."""
    table = connection.ops.quote_name(CaseEvent._meta.db_table)
    columns = ("case_id", "at", "actor_id", "action", "from_status", "to_status", "reason", "data")
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    sql = f"INSERT INTO {table} ({names}) VALUES ({', '.join(['%s'] * len(columns))})"  # noqa: S608 (quoted model names)
    with connection.cursor() as cursor:
        for k in range(0, len(rows), 5000):
            cursor.executemany(sql, rows[k : k + 5000])
