"""The Open311 intake queue: a POSTed service request is checked, stored and answered at once;
a background drain files the queued requests as cases, many per transaction.

Why a queue: a resident's Open311 report never becomes a service request on the spot (it
waits for the command centre's verification, so the POST answers the spec's ``token``
either way). Answering from the queue keeps the request path to one key look-up, the checks
and one INSERT, and lets the drain write cases set-based (``case_report_many``), so bursts
(a storm, a campaign in the resident app) are absorbed without holding the web workers.

- ``request_queue`` runs every check ``case_report`` runs (``report_draft``: category, place,
  answers, reporter, description), so a bad request is a 400 before anything is stored, and
  stores the submission encrypted (it carries the reporter's name and phone).
- ``intake_drain`` claims queued rows (``claim`` + ``claimed_at``: a conditional UPDATE, safe
  with several workers; a claim older than ``OPEN311_INTAKE_CLAIM_SECONDS`` is taken over),
  checks them again against the current catalogue and registry, and files them. A request
  that no longer passes (its category was withdrawn meanwhile) is rejected with the reason,
  which ``tokens/{token}`` then answers. Filing or rejecting empties the stored submission.
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
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connections, router, transaction
from django.db.models import Count, Min, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from cityops.cases.models import Case, Category, Source
from cityops.cases.services import case_report
from cityops.cases.services.intake import category_check, report_check
from cityops.cases.services.intake_batch import Outcome, PublicReport, case_report_many
from cityops.core.audit import audit_event, insert_one
from cityops.core.errors import DomainError
from cityops.core.models import AuditEvent
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
    """Check the request as intake would and store it for the drain; its record (token).

    With an idempotency key, a retry answers the record of the first call.
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
    record = Open311Request(
        api_key=api_key,
        token=secrets.token_urlsafe(18),
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
    age = (timezone.now() - waiting["oldest"]).total_seconds() if waiting["oldest"] else 0.0
    return {
        "ok": age <= float(settings.OPEN311_INTAKE_ALERT_SECONDS),
        "queued": waiting["queued"],
        "oldest_seconds": round(age),
    }


def intake_drain(*, batch: int | None = None, max_seconds: float | None = None) -> DrainResult:
    """File queued requests, a batch per transaction, until none is left or time is up."""
    size = int(batch or settings.OPEN311_INTAKE_BATCH)
    limit = float(settings.OPEN311_INTAKE_DRAIN_SECONDS if max_seconds is None else max_seconds)
    stop = time.monotonic() + limit
    filed = rejected = 0
    while True:
        records = _claim(size)
        if not records:
            break
        done = _file(records)
        filed += done.filed
        rejected += done.rejected
        if time.monotonic() >= stop:
            break
    return DrainResult(filed=filed, rejected=rejected)


def _claim(size: int) -> list[Open311Request]:
    now = timezone.now()
    takeable = Q(claim="") | Q(claimed_at__lt=now - _claim_timeout())
    queued = Open311Request.objects.filter(status=IntakeStatus.QUEUED)
    ids = list(queued.filter(takeable).order_by("id").values_list("pk", flat=True)[:size])
    if not ids:
        return []
    claim = secrets.token_hex(12)
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
    )


def _file(records: list[Open311Request]) -> DrainResult:
    revoked = dict(
        ApiKey.objects.filter(pk__in={r.api_key_id for r in records}, active=False).values_list(
            "pk", "revoked_at"
        )
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
    except IntegrityError:
        # A case with one of these idempotency keys exists already: one at a time, where
        # case_report answers the existing case.
        return _file_one_by_one(readable, refused)
    filed = sum(1 for outcome in outcomes if isinstance(outcome, Case))
    return DrainResult(filed=filed, rejected=len(records) - filed)


def _settle(
    records: list[Open311Request],
    outcomes: list[Outcome],
    refused: list[tuple[Open311Request, str]],
) -> None:
    """Record each request's outcome (inside the filing transaction) and audit rejections."""
    now = timezone.now()
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
        record.payload, record.claim, record.claimed_at, record.updated_at = "", "", None, now
    _mark_filed([r for r in records if r.status == IntakeStatus.FILED], now)
    for record in failed:
        Open311Request.objects.filter(pk=record.pk).update(
            status=record.status, error=record.error, payload="", claim="", claimed_at=None,
            updated_at=now,
        )  # fmt: skip
    AuditEvent.objects.bulk_create(
        audit_event(
            code="open311.request.rejected",
            target=record,
            summary=f"{record.token[:8]} {record.error}",
            data={"error": record.error},
        )
        for record in failed
    )


def _mark_filed(records: list[Open311Request], now: dt.datetime) -> None:
    """One UPDATE for the batch: each row gets its case (joined from a VALUES list), the
    status and an empty submission (``bulk_update`` built a CASE per row and column)."""
    if not records:
        return
    conn = connections[router.db_for_write(Open311Request)]
    qn = conn.ops.quote_name
    meta = Open311Request._meta
    table, payload = qn(meta.db_table), meta.get_field("payload")
    rows = ", ".join(["(%s, %s)"] * len(records))
    sql = (
        f"UPDATE {table} SET {qn('case_id')} = v.column2, {qn('status')} = %s, "  # noqa: S608 (model metadata)
        f"{qn('error')} = '', {qn('payload')} = %s, {qn('claim')} = '', "
        f"{qn('claimed_at')} = NULL, {qn('updated_at')} = %s "
        f"FROM (VALUES {rows}) AS v WHERE {table}.{qn('id')} = v.column1"
    )
    params: list[Any] = [
        IntakeStatus.FILED.value,
        payload.get_db_prep_save("", connection=conn),
        conn.ops.adapt_datetimefield_value(now),
    ]
    for record in records:
        assert record.case is not None
        params += [record.pk, record.case.pk]
    with conn.cursor() as cursor:
        cursor.execute(sql, params)


def _file_one_by_one(
    records: list[Open311Request], refused: list[tuple[Open311Request, str]]
) -> DrainResult:
    filed = rejected = 0
    for record in records:
        report = _report(record)
        settled: list[Case] = []

        def attach(
            case: Case, record: Open311Request = record, settled: list[Case] = settled
        ) -> None:
            _settle([record], [case], [])
            settled.append(case)

        try:
            case = case_report(
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
            )
        except DomainError as exc:
            with transaction.atomic():
                _settle([record], [exc], [])
            rejected += 1
            continue
        if not settled:  # an idempotent retry: the case existed before this request
            with transaction.atomic():
                _settle([record], [case], [])
        filed += 1
    if refused:
        with transaction.atomic():
            _settle([], [], refused)
    return DrainResult(filed=filed, rejected=rejected + len(refused))
