"""The Open311 intake queue: a POSTed service request is checked, stored and answered at once;
a background drain files the queued requests as cases, many per transaction.

Why a queue: a resident's Open311 report is published only once the command centre has
verified it, so nothing the client needs waits for the case to exist: the POST reserves the
case number at once (the cases' own counter, ``next_numbers``) and answers it as the
``service_request_id`` with the ``token``; ``GET requests/{id}`` answers a minimal record
(``listing.request_by_number``) until the case is public. Answering from the queue keeps the
request path to one key look-up, the checks, one counter UPDATE and one INSERT, and lets the
drain write cases set-based (``case_report_many``), so bursts (a storm, a campaign in the
resident app) are absorbed without holding the web workers.

- ``request_queue`` runs every check ``case_report`` runs (``report_draft``: category, place,
  answers, reporter, description), so a bad request is a 400 before anything is stored, and
  stores the submission encrypted (it carries the reporter's name and phone) with its reserved
  number, under which the drain (batch or one by one) files the case.
- ``intake_drain`` claims queued rows (``claim`` + ``claimed_at``: a conditional UPDATE, safe
  with several workers), checks them again against the current catalogue and registry, and
  files them. A request that no longer passes (its category was withdrawn meanwhile) is
  rejected with the reason, which ``tokens/{token}`` then answers. Filing or rejecting
  empties the stored submission.
- A claim names the claiming process (its heartbeat token, ``cityops.core.workers``). It is
  taken over once that process stops beating (killed, paused), else after
  ``OPEN311_INTAKE_CLAIM_SECONDS``. Filing is fenced: the transaction that creates the cases
  marks the requests filed only ``WHERE claim = <ours>`` and rolls back when a row was taken
  over meanwhile, so a drain that stalled past its claim never files a request twice.
- One bad request never blocks the others: when a batch fails, its requests are filed one at
  a time, and one that still fails is marked ``failed`` (audited, logged, and /healthz is
  "degraded" for ``OPEN311_INTAKE_FAILED_ALERT_HOURS``); its submission is kept.
- Each POST asks for a drain (``intake_drain_task``) at most once per
  ``OPEN311_INTAKE_KICK_SECONDS`` per process; the scheduler's ``open311_intake`` job sweeps
  whatever a lost request left behind.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
import secrets
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connections, router, transaction
from django.db.models import Count, Min, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from cityops.cases.models import Case, Category, Source
from cityops.cases.services import case_report
from cityops.cases.services.intake import category_check, next_numbers, report_check
from cityops.cases.services.intake_batch import Outcome, PublicReport, case_report_many
from cityops.core.audit import audit_event
from cityops.core.errors import DomainError
from cityops.core.models import AuditEvent
from cityops.core.ormfast import insert_one
from cityops.core.workers import OUTAGE_ERRORS, live_tokens, process_token
from cityops.core.workers import timeout as heartbeat_timeout
from cityops.open311.models import ApiKey, IntakeStatus, Open311Request
from cityops.open311.services import Contact, reporter_name, request_by_key
from cityops.registry.models import Component
from cityops.registry.spatial import pinned_index

log = logging.getLogger(__name__)
_last_kick = -1e9  # time.monotonic() of this process's last drain request


@dataclass(frozen=True)
class DrainResult:
    filed: int = 0
    rejected: int = 0
    failed: int = 0


class ClaimLost(Exception):
    """Another drain took the batch over (ours stalled past the claim): file nothing."""


def request_queue(
    *,
    api_key: ApiKey,
    category: Category,
    lon: float,
    lat: float,
    address: str,
    description: str,
    answers: Mapping[str, Any],
    contact: Contact,
    media_url: str = "",
    idempotency_key: str = "",
    component: Component | None = None,
) -> Open311Request:
    """Check the request as intake would and store it for the drain; its record (token and
    reserved case number).

    With an idempotency key, a retry answers the record of the first call. The number is
    taken once the checks passed (a 400 uses none), in its own statement outside any
    transaction here, so the day's counter row is locked only for that statement.
    """
    key = idempotency_key.strip()[:100]
    if key and (found := request_by_key(api_key, key)) is not None:
        return found
    name = reporter_name(contact)
    # The checks of case_report (DomainError → 400), with the registry index as this process
    # confirmed it at most OPEN311_POST_CHECK_MAX_AGE seconds ago: the drain checks again.
    with pinned_index(max_age=float(settings.OPEN311_POST_CHECK_MAX_AGE)):
        category_check(category)
        report_check(
            cat=category, lon=lon, lat=lat, description=description, answers=answers,
            reporter_name=name, reporter_phone=contact.phone, coord_sys="wgs84",
            urgency="normal", address=address,
        )  # fmt: skip
    submission = {
        "category": category.pk,
        "lon": lon,
        "lat": lat,
        "address": address,
        "description": description,
        "answers": dict(answers),
        "name": name,
        "phone": contact.phone,
        "component": component.pk if component is not None else None,
    }
    now = timezone.now()
    record = Open311Request(
        api_key=api_key,
        token=secrets.token_urlsafe(18),
        number=next_numbers(timezone.localtime(now).date(), 1)[0],
        created_at=now,  # the report's time: the number is of its day
        status=IntakeStatus.QUEUED,
        payload=json.dumps(submission, ensure_ascii=False),
        idempotency_key=key,
        email=contact.email,
        device_id=contact.device_id[:100],
        account_id=contact.account_id[:100],
        media_url=media_url[:500],
    )
    try:
        # A savepoint only where a concurrent retry can collide on the key.
        with transaction.atomic() if key else contextlib.nullcontext():
            insert_one(record)
    except IntegrityError:
        if key and (found := request_by_key(api_key, key)) is not None:
            return found
        raise
    drain_soon()
    return record


def drain_soon() -> None:
    """Ask a worker to drain the queue, at most once per interval from this process."""
    global _last_kick
    from cityops.open311.tasks import intake_drain_task

    now = time.monotonic()
    if now - _last_kick < float(settings.OPEN311_INTAKE_KICK_SECONDS):
        return
    _last_kick = now
    try:
        intake_drain_task.enqueue()
    except Exception:  # the request is stored; the scheduler's sweep files it
        log.exception("could not enqueue the Open311 intake drain")


def queue_health() -> dict[str, Any]:
    """For /healthz: how many requests wait for the drain and for how long (no content)."""
    waiting = Open311Request.objects.filter(status=IntakeStatus.QUEUED).aggregate(
        queued=Count("pk"), oldest=Min("created_at")
    )
    now = timezone.now()
    age = (now - waiting["oldest"]).total_seconds() if waiting["oldest"] else 0.0
    since = now - dt.timedelta(hours=float(settings.OPEN311_INTAKE_FAILED_ALERT_HOURS))
    failed = Open311Request.objects.filter(status=IntakeStatus.FAILED, updated_at__gte=since)
    failed_count = failed.count()
    return {
        "ok": age <= float(settings.OPEN311_INTAKE_ALERT_SECONDS) and not failed_count,
        "queued": waiting["queued"],
        "oldest_seconds": round(age),
        "failed": failed_count,
    }


def intake_samples() -> Iterator[tuple[dict[str, str], float]]:
    """For /metrics: the figures of ``queue_health``."""
    health = queue_health()
    for what in ("queued", "oldest_seconds", "failed"):
        yield {"what": what}, float(health[what])


def intake_drain(*, batch: int | None = None, max_seconds: float | None = None) -> DrainResult:
    """File queued requests, a batch per transaction, until none is left or time is up."""
    size = int(batch or settings.OPEN311_INTAKE_BATCH)
    limit = float(settings.OPEN311_INTAKE_DRAIN_SECONDS if max_seconds is None else max_seconds)
    stop = time.monotonic() + limit
    filed = rejected = failed = 0
    while True:
        records = _claim(size)
        if not records:
            break
        done = _file(records)
        filed, rejected, failed = filed + done.filed, rejected + done.rejected, failed + done.failed
        if time.monotonic() >= stop:
            break
    return DrainResult(filed=filed, rejected=rejected, failed=failed)


def _takeable(now: dt.datetime) -> Q:
    """Unclaimed, claimed too long ago, claimed by a worker that no longer beats (a claim
    younger than the heartbeat timeout is kept: its worker may not have beaten yet), or left
    by this very process."""
    orphaned = Q(claimed_at__lt=now - heartbeat_timeout()) & ~Q(claim__startswith="-.")
    for token in live_tokens():
        orphaned &= ~Q(claim__startswith=f"{token}.")
    takeable = Q(claim="") | Q(claimed_at__lt=now - _claim_timeout()) | orphaned
    own = process_token()
    if own:
        # Drains run one after the other in a process: a claim of our own still queued is one an
        # earlier drain dropped (the database went away mid-batch), not work in progress.
        takeable |= Q(claim__startswith=f"{own}.")
    return takeable


def _claim(size: int) -> list[Open311Request]:
    now = timezone.now()
    takeable = _takeable(now)
    queued = Open311Request.objects.filter(status=IntakeStatus.QUEUED)
    ids = list(queued.filter(takeable).order_by("id").values_list("pk", flat=True)[:size])
    if not ids:
        return []
    claim = f"{process_token() or '-'}.{secrets.token_hex(6)}"
    # Conditional: a row another drain claimed in between is not taken (PostgreSQL re-checks
    # the condition on the locked row; SQLite runs one writer at a time).
    queued.filter(takeable, pk__in=ids).update(claim=claim, claimed_at=now)
    return list(
        Open311Request.objects.filter(claim=claim, status=IntakeStatus.QUEUED)
        .defer("email", "device_id", "account_id", "media_url")  # not needed to file
        .order_by("id")
    )


def _claim_timeout() -> dt.timedelta:
    return dt.timedelta(seconds=float(settings.OPEN311_INTAKE_CLAIM_SECONDS))


def _report(record: Open311Request) -> PublicReport:
    data = json.loads(record.payload)
    return PublicReport(
        category_id=int(data["category"]),
        lon=float(data["lon"]),
        lat=float(data["lat"]),
        address=str(data.get("address", "")),
        description=str(data.get("description", "")),
        reported_at=record.created_at,
        answers=data.get("answers") or {},
        reporter_name=str(data.get("name", "")),
        reporter_phone=str(data.get("phone", "")),
        client=f"open311:{record.api_key_id}",
        idempotency_key=record.idempotency_key,
        component_id=data.get("component"),
        number=record.number,
    )


def _file(records: list[Open311Request]) -> DrainResult:
    revoked = dict(
        ApiKey.objects.filter(
            pk__in={r.api_key_id for r in records}, credential__revoked_at__isnull=False
        ).values_list("pk", "credential__revoked_at")
    )
    reports: list[PublicReport] = []
    readable: list[Open311Request] = []
    refused: list[tuple[Open311Request, str]] = []
    for record in records:
        if record.api_key_id in revoked:
            at = revoked[record.api_key_id]
            if at is None or record.created_at >= at:
                refused.append((record, str(_("The API key was revoked."))))
                continue
        try:
            reports.append(_report(record))
        except (ValueError, KeyError, TypeError):
            refused.append((record, str(_("The stored request could not be read."))))
            continue
        readable.append(record)

    def attach(outcomes: list[Outcome]) -> None:
        _settle(readable, outcomes, refused)

    try:
        outcomes = case_report_many(reports, attach=attach)
    except ClaimLost:
        log.warning("Open311 drain: batch %s was taken over, filed nothing", records[0].claim)
        return DrainResult()
    except IntegrityError:
        # A case with one of these idempotency keys exists already: one at a time, where
        # case_report answers the existing case.
        return _file_one_by_one(readable, refused)
    except OUTAGE_ERRORS:
        raise  # the database is away: the batch stays claimed, the worker retries
    except Exception:
        # One bad request (a NUL byte PostgreSQL refuses…) must not hold the others: one at a
        # time, each in its own transaction, and the one that still fails is set aside.
        log.exception("Open311 drain: a batch of %d failed, filing one at a time", len(records))
        return _file_one_by_one(readable, refused)
    filed = sum(1 for outcome in outcomes if isinstance(outcome, Case))
    return DrainResult(filed=filed, rejected=len(records) - filed)


def _settle(
    records: list[Open311Request],
    outcomes: list[Outcome],
    refused: list[tuple[Open311Request, str]],
) -> None:
    """Record each request's outcome (inside the filing transaction) and audit rejections.

    Fenced: every row is written ``WHERE claim = <the claim we took>``; a row another drain
    took over raises ``ClaimLost``, which rolls the filing transaction back."""
    now = timezone.now()
    claims = {record.pk: record.claim for record in [*records, *(r for r, _why in refused)]}
    failed: list[Open311Request] = []
    for record, outcome in zip(records, outcomes, strict=True):
        if isinstance(outcome, Case):
            record.case, record.status, record.error = outcome, IntakeStatus.FILED, ""
        else:
            record.status, record.error = IntakeStatus.REJECTED, str(outcome.message)[:300]
            failed.append(record)
    for record, reason in refused:
        record.status, record.error = IntakeStatus.REJECTED, reason[:300]
        failed.append(record)
    for record in [*records, *(record for record, _reason in refused)]:
        record.payload, record.updated_at = "", now  # (the claim stays: a retry is fenced by it)
    _mark_filed([r for r in records if r.status == IntakeStatus.FILED], now, claims)
    for record in failed:
        held = Open311Request.objects.filter(
            pk=record.pk, claim=claims[record.pk], status=IntakeStatus.QUEUED
        )
        if not held.update(
            status=record.status, error=record.error, payload="", claim="", claimed_at=None,
            updated_at=now,
        ):  # fmt: skip
            raise ClaimLost
    AuditEvent.objects.bulk_create(
        audit_event(
            code="open311.request.rejected",
            target=record,
            summary=f"{record.token[:8]} {record.error}",
            data={"error": record.error},
        )
        for record in failed
    )


def _mark_filed(records: list[Open311Request], now: dt.datetime, claims: dict[int, str]) -> None:
    """One UPDATE for the batch: each row gets its case (joined from a VALUES list), the
    status and an empty submission (``bulk_update`` built a CASE per row and column) — where
    the row still carries our claim (joined too); a row short raises ``ClaimLost``."""
    if not records:
        return
    conn = connections[router.db_for_write(Open311Request)]
    qn = conn.ops.quote_name
    meta = Open311Request._meta
    table, payload = qn(meta.db_table), meta.get_field("payload")
    rows = ", ".join(["(%s, %s, %s)"] * len(records))
    sql = (
        f"UPDATE {table} SET {qn('case_id')} = v.column2, {qn('status')} = %s, "  # noqa: S608 (model metadata)
        f"{qn('error')} = '', {qn('payload')} = %s, {qn('claim')} = '', "
        f"{qn('claimed_at')} = NULL, {qn('updated_at')} = %s "
        f"FROM (VALUES {rows}) AS v WHERE {table}.{qn('id')} = v.column1 "
        f"AND {table}.{qn('claim')} = v.column3 AND {table}.{qn('status')} = %s"
    )
    params: list[Any] = [
        IntakeStatus.FILED.value,
        payload.get_db_prep_save("", connection=conn),
        conn.ops.adapt_datetimefield_value(now),
    ]
    for record in records:
        assert record.case is not None
        params += [record.pk, record.case.pk, claims[record.pk]]
    params.append(IntakeStatus.QUEUED.value)
    with conn.cursor() as cursor:
        cursor.execute(sql, params)
        if cursor.rowcount != len(records):
            raise ClaimLost


def _file_one_by_one(
    records: list[Open311Request], refused: list[tuple[Open311Request, str]]
) -> DrainResult:
    filed = rejected = failed = 0
    for record in records:
        report = _report(record)
        settled: list[Case] = []

        def attach(
            case: Case, record: Open311Request = record, settled: list[Case] = settled
        ) -> None:
            _settle([record], [case], [])
            settled.append(case)

        try:
            with transaction.atomic():  # a savepoint: a failing request leaves the rest usable
                case = _file_one(record, report, attach)
        except ClaimLost:
            continue
        except DomainError as exc:
            try:
                with transaction.atomic():
                    _settle([record], [exc], [])
            except ClaimLost:
                continue
            rejected += 1
            continue
        except OUTAGE_ERRORS:
            raise
        except Exception as exc:
            failed += _fail(record, exc)
            continue
        if not settled:  # an idempotent retry: the case existed before this request
            try:
                with transaction.atomic():
                    _settle([record], [case], [])
            except ClaimLost:
                continue
        filed += 1
    if refused:
        try:
            with transaction.atomic():
                _settle([], [], refused)
        except ClaimLost:
            refused = []
    return DrainResult(filed=filed, rejected=rejected + len(refused), failed=failed)


def _file_one(record: Open311Request, report: PublicReport, attach: Callable[[Case], None]) -> Case:
    """``case_report`` for one queued request (its own transaction; ``attach`` inside)."""
    return case_report(
        source=Source.PUBLIC,
        category=report.category_id,
        lon=report.lon,
        lat=report.lat,
        address=report.address,
        description=report.description,
        answers=report.answers,
        reporter_name=report.reporter_name,
        reporter_phone=report.reporter_phone,
        idempotency_key=report.idempotency_key,
        client=report.client,
        component=Component.objects.filter(pk=report.component_id).first()
        if report.component_id
        else None,
        attach=attach,
        number=report.number,
    )


def _fail(record: Open311Request, exc: Exception) -> int:
    """Set a request aside that cannot be filed (a fault): ``failed``, audited, logged; its
    submission is kept for the operators. 1, or 0 when another drain took it over."""
    log.error("Open311 request %s could not be filed: %r", record.pk, exc)
    now = timezone.now()
    reason = str(_("The request could not be filed; the operators were alerted."))
    with transaction.atomic():
        held = Open311Request.objects.filter(
            pk=record.pk, claim=record.claim, status=IntakeStatus.QUEUED
        )
        if not held.update(
            status=IntakeStatus.FAILED, error=reason, claim="", claimed_at=None, updated_at=now
        ):
            return 0
        audit_event(
            code="open311.request.failed",
            target=record,
            summary=f"{record.token[:8]} {type(exc).__name__}",
            data={"error": f"{type(exc).__name__}: {exc}"[:500]},
        ).save()
    return 1
