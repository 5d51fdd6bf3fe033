"""Intake (信息收集): ``case_report`` turns a report from any source into a routed case.

Idempotent on ``(client, idempotency_key)``: a client retry (even a concurrent one) gets the
case created by the first call, never a second case; a unique constraint is the arbiter.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import re
import secrets
from collections.abc import Callable, Mapping, Sequence
from contextlib import nullcontext
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, connections, router, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cityops.accounts.access import actor_for
from cityops.accounts.models import Role
from cityops.cases import deadlines
from cityops.cases.models import (
    Case,
    CaseEvent,
    CaseNumberCounter,
    Category,
    PhotoKind,
    Question,
    Source,
    Status,
    Urgency,
)
from cityops.cases.questions import QuestionSpec, clean_answers
from cityops.cases.routing import Routing, route
from cityops.cases.services import notices
from cityops.cases.services.photos import photos_prepare, photos_store
from cityops.core.audit import audit_event
from cityops.core.coords import to_wgs84
from cityops.core.crypto import blind_index
from cityops.core.errors import Conflict, DomainError, PermissionDenied
from cityops.core.models import AuditEvent
from cityops.core.ormfast import insert_linked, links_in_one_statement
from cityops.registry.models import Component
from cityops.registry.spatial import PointContext, pinned_index

# Who may report through each source (None: anyone, signed in or not).
SOURCE_ROLES: dict[str, tuple[str, ...] | None] = {
    Source.INSPECTOR: (Role.INSPECTOR,),
    # The call centre's clerks take 12345 calls; their shift lead (值班长) takes calls too.
    Source.HOTLINE: (Role.INTAKE_CLERK, Role.SHIFT_LEAD),
    Source.LEADER: (Role.INTAKE_CLERK, Role.SHIFT_LEAD),
    Source.SENSOR: (Role.SYSTEM_ADMIN, Role.INTAKE_CLERK),
    Source.SELF_HANDLED: (Role.INSPECTOR,),
    Source.PUBLIC: None,
}
_SOURCES, _URGENCIES = frozenset(Source.values), frozenset(Urgency.values)
MAX_DESCRIPTION = 2000
MAX_ADDRESS = 200  # Case.address: a longer address is refused, never cut
# ASCII digits and separators only (re.ASCII: no full-width or other scripts' digits, which no
# SMS gateway dials); the REST schema states the same pattern (``api.schema``).
_PHONE = re.compile(r"^\+?[\d\s\-()]{7,20}$", re.ASCII)


def tracking_code_for(case: Case) -> str:
    """The reporter's private code: derived with the secret key, only its hash is stored."""
    message = f"case-tracking:{case.number}:{case.tracking_nonce}".encode()
    digest = hmac.new(str(settings.SECRET_KEY).encode(), message, "sha256").hexdigest()
    return digest[:12].upper()


def tracking_hash(code: str) -> str:
    return hashlib.sha256(code.strip().upper().encode()).hexdigest()


# On PostgreSQL outside a transaction the counter UPDATE is its own transaction, and its commit
# need not wait for the disk (``synchronous_commit`` off for that transaction only): a number
# reaches nobody before the write that uses it (the case, the Open311 request) commits, and that
# commit waits for the disk, which makes the WAL durable up to it, counter included. A crash
# before then loses at most numbers nobody was given. One flush per report instead of two (a
# flush costs 5-10 ms on a busy disk, the statement 0.4 ms).
_NO_FLUSH = "FROM (SELECT set_config('synchronous_commit', 'off', true)) AS no_flush "


def _bump(day: Any, count: int = 1) -> int | None:
    """Add ``count`` to the day's counter and return the new last number (one statement:
    ``UPDATE … RETURNING``)."""
    table = connection.ops.quote_name(CaseNumberCounter._meta.db_table)
    alone = connection.vendor == "postgresql" and not connection.in_atomic_block
    with connection.cursor() as cursor:
        cursor.execute(
            f'UPDATE {table} SET "last" = "last" + %s {_NO_FLUSH if alone else ""}'  # noqa: S608
            'WHERE "day" = %s RETURNING "last"',
            [count, connection.ops.adapt_datefield_value(day)],
        )
        row = cursor.fetchone()
    return int(row[0]) if row else None


def reserve_early() -> bool:
    """Whether to take the case number in its own short transaction, before the report's.

    The counter UPDATE locks the day's row until the transaction that ran it commits. Inside
    the report's transaction that lock would be held while the case, its event and its audit
    row are written and committed, so concurrent intakes on PostgreSQL would queue behind one
    another. Run on its own (autocommit: one statement, its own commit) the lock lasts one
    statement. The price: a report whose transaction then fails leaves a gap in the day's
    numbers (numbers stay unique and increasing). SQLite serialises writers anyway, and an
    extra commit there would cost an fsync, so it keeps the single transaction; so does a
    caller's enclosing transaction (its writes must commit with the case).
    """
    conn = connections[router.db_for_write(CaseNumberCounter)]
    return conn.vendor == "postgresql" and not conn.in_atomic_block


def next_numbers(day: Any, count: int) -> list[str]:
    """``count`` new case numbers of ``day`` (a local date), in order."""
    # UPDATE … RETURNING: numbers are unique and ordered per day (the row lock serialises).
    last = _bump(day, count)
    if last is None:
        try:
            with transaction.atomic():
                CaseNumberCounter.objects.create(day=day, last=count)
            last = count
        except IntegrityError:
            last = _bump(day, count)
    assert last is not None
    return [f"{day:%Y%m%d}{n:05d}" for n in range(last - count + 1, last + 1)]


def _next_number(now: Any) -> str:
    return next_numbers(timezone.localtime(now).date(), 1)[0]


def category_check(value: Category | int | str) -> Category:
    if isinstance(value, Category):
        category: Category | None = value
    else:
        category = Category.objects.filter(pk=value).first() if str(value).isdigit() else None
    if category is None or not category.active or not category.is_minor:
        raise DomainError(_("Choose an active minor category."), field="category")
    return category


_QUESTIONS_SQL: dict[str, str] = {}


def question_specs(cat: Category) -> list[QuestionSpec]:
    """The category's questions, read on every report (never cached: an edit applies at once).

    Prefetched questions are used as they are; otherwise one query whose SQL is built once per
    database (the ORM compiled the related-manager query anew for every report).
    """
    prefetched = getattr(cat, "_prefetched_objects_cache", {}).get("questions")
    if prefetched is not None:
        rows = [(q.code, q.label, q.kind, q.required, q.choices) for q in prefetched]
    else:
        alias = router.db_for_read(Question)
        conn = connections[alias]
        sql = _QUESTIONS_SQL.get(alias)
        if sql is None:
            qn = conn.ops.quote_name
            columns = ", ".join(qn(c) for c in ("code", "label", "kind", "required", "choices"))
            sql = _QUESTIONS_SQL[alias] = (
                f"SELECT {columns} FROM {qn(Question._meta.db_table)} "  # noqa: S608 (model metadata)
                f"WHERE {qn('category_id')} = %s ORDER BY {qn('order')}, {qn('code')}"
            )
        with conn.cursor() as cursor:
            cursor.execute(sql, [cat.pk])
            raw = cursor.fetchall()
        choices_field = Question._meta.get_field("choices")
        rows = [
            (code, label, kind, bool(req), choices_field.from_db_value(ch, None, conn))  # type: ignore[arg-type]
            for code, label, kind, req, ch in raw
        ]
    return [
        QuestionSpec(
            code,
            label,
            kind,
            required,
            tuple(str(c.get("code")) for c in choices if isinstance(c, dict))
            if isinstance(choices, list)
            else (),
        )
        for code, label, kind, required, choices in rows
    ]


def _point(lon: Any, lat: Any, coord_sys: str) -> tuple[float, float]:
    try:
        x, y = float(lon), float(lat)
    except (TypeError, ValueError):
        raise DomainError(_("Longitude and latitude must be numbers."), field="lon") from None
    if not (math.isfinite(x) and math.isfinite(y) and -180 <= x <= 180 and -90 <= y <= 90):
        raise DomainError(_("Longitude and latitude are out of range."), field="lon")
    try:
        wx, wy = to_wgs84(x, y, coord_sys)
    except ValueError:
        raise DomainError(_("Unknown coordinate system."), field="coord_sys") from None
    return float(wx), float(wy)


def _check_reporter(name: str, phone: str) -> tuple[str, str]:
    name, phone = name.strip(), phone.strip()
    if len(name) > 50:
        raise DomainError(_("The reporter's name is too long."), field="reporter_name")
    if phone and not _PHONE.match(phone):
        raise DomainError(_("The reporter's phone number is not valid."), field="reporter_phone")
    return name, phone


def _existing(client: str, key: str) -> Case | None:
    if not key:
        return None
    case = Case.objects.filter(client=client, idempotency_key=key).first()
    if case is not None:
        case.tracking_code = tracking_code_for(case)  # type: ignore[attr-defined]
        case.replayed = True  # type: ignore[attr-defined]
    return case


_STATUS_OF_SOURCE: dict[str, str] = {
    Source.PUBLIC: Status.AWAITING_VERIFICATION,
    Source.SELF_HANDLED: Status.SELF_HANDLED,
}


@dataclass(frozen=True)
class CheckedReport:
    """A report's inputs once every check passed, normalised (``report_check``)."""

    text: str
    lon: float
    lat: float
    place: PointContext
    answers: dict[str, Any]
    reporter_name: str
    reporter_phone: str
    address: str = ""


def report_check(
    *,
    cat: Category,
    lon: float,
    lat: float,
    description: str,
    answers: Mapping[str, Any] | None,
    reporter_name: str,
    reporter_phone: str,
    coord_sys: str,
    urgency: str,
    address: str = "",
) -> CheckedReport:
    """Every check a report passes (after its category's), in the order errors are reported.

    Raises ``DomainError`` naming the field. Writes nothing: the Open311 POST runs it before
    queueing, ``report_draft`` before building the case.
    """
    if urgency not in _URGENCIES:
        raise DomainError(_("Unknown urgency."), field="urgency")
    text = description.strip()
    if not text or len(text) > MAX_DESCRIPTION:
        raise DomainError(
            _("Describe the problem (1 to %(n)d characters).") % {"n": MAX_DESCRIPTION},
            field="description",
        )
    x, y = _point(lon, lat, coord_sys)
    with pinned_index() as idx:
        ctx = idx.locate(x, y)
    if ctx.district_id is None:
        # The registry, not the request, decides where the city governs (it may grow): a
        # well-formed point outside it conflicts with the registry's current state (409; the
        # REST schema cannot draw the boundary). Open311 answers it as its 400.
        raise Conflict(_("The place is outside the governed area."), field="lon")
    cleaned = clean_answers(question_specs(cat), answers)
    name, phone = _check_reporter(reporter_name, reporter_phone)
    place = address.strip()
    if len(place) > MAX_ADDRESS:
        raise DomainError(
            _("The address is too long (at most %(n)d characters).") % {"n": MAX_ADDRESS},
            field="address",
        )
    return CheckedReport(text, x, y, ctx, cleaned, name, phone, place)


def report_draft(
    *,
    source: str,
    cat: Category,
    lon: float,
    lat: float,
    address: str,
    description: str,
    answers: Mapping[str, Any] | None,
    reporter_name: str,
    reporter_phone: str,
    user: Any,
    coord_sys: str,
    client: str,
    key: str,
    urgency: str,
    component: Component | None,
    reported_at: Any,
) -> tuple[Case, Routing]:
    """Check one report and build its unsaved case (no number yet) and routing decision.

    Shared by ``case_report`` and the batch writer (``intake_batch.case_report_many``).
    """
    with pinned_index():  # one registry-version read for locating and routing
        checked = report_check(
            cat=cat, lon=lon, lat=lat, description=description, answers=answers,
            reporter_name=reporter_name, reporter_phone=reporter_phone, coord_sys=coord_sys,
            urgency=urgency, address=address,
        )  # fmt: skip
        x, y, ctx = checked.lon, checked.lat, checked.place
        decision = route(category=cat, lon=x, lat=y, component=component, context=ctx)
    phone = checked.reporter_phone
    case = Case(
        number="",
        source=source,
        category=cat,
        urgency=urgency,
        status=_STATUS_OF_SOURCE.get(source, Status.REPORTED),
        **deadlines.verification_fields(
            _STATUS_OF_SOURCE.get(source, Status.REPORTED), reported_at, timezone.now()
        ),
        description=checked.text,
        address=checked.address,
        answers=checked.answers,
        lon=x,
        lat=y,
        grid_id=ctx.grid_id,
        community_id=ctx.community_id,
        street_id=ctx.street_id,
        component=component,
        service_type=decision.service_type,
        lot_id=decision.lot_id,
        contract_id=decision.contract_id,
        routed_org_id=decision.org_id,
        routing_explanation=decision.explanation,
        reporter_name=checked.reporter_name,
        reporter_phone=phone,
        reporter_phone_index=blind_index(phone, purpose="case_reporter_phone") if phone else "",
        reported_by=user,
        tracking_nonce=secrets.token_hex(8),
        client=client,
        idempotency_key=key,
        reported_at=reported_at,
    )
    case.refresh_search_terms()
    return case, decision


def report_seal(case: Case, number: str) -> str:
    """Give the drafted case its number and tracking hash; returns the private code.

    Number and nonce are known before the insert: one INSERT, no follow-up UPDATE.
    """
    case.number = number
    private_code = tracking_code_for(case)
    case.tracking_hash = tracking_hash(private_code)
    return private_code


def report_event(case: Case, decision: Routing) -> CaseEvent:
    return CaseEvent(
        case=case,
        at=case.reported_at,
        actor=case.reported_by,
        action="report",
        from_status="",
        to_status=case.status,
        data={"source": case.source, "routing": decision.matched_by},
    )


def report_audit(case: Case, decision: Routing, actor: Any) -> AuditEvent:
    return audit_event(
        code="case.report",
        target=case,
        actor=actor,
        summary=f"{case.number} {case.source} {case.category.code}",
        data={
            "source": case.source,
            "category": case.category.code,
            "status": case.status,
            "routed_org": decision.org_id,
            "matched_by": decision.matched_by,
        },
    )


def case_report(
    *,
    source: str,
    category: Category | int | str,
    lon: float,
    lat: float,
    address: str,
    description: str,
    answers: Mapping[str, Any] | None = None,
    reporter_name: str = "",
    reporter_phone: str = "",
    photos: Sequence[Any] = (),
    after_photos: Sequence[Any] = (),
    idempotency_key: str = "",
    actor: Any = None,
    coord_sys: str = "wgs84",
    client: str = "",
    urgency: str = Urgency.NORMAL,
    component: Component | None = None,
    attach: Callable[[Case], object] | None = None,
    number: str = "",
) -> Case:
    """Create a case (or return the one a previous call with the same key created).

    The returned case carries ``tracking_code`` (the reporter's private code, shown once) and
    ``replayed``: True when an earlier call with the key created it (also when that call ran
    concurrently and won), so a channel answers "already there" from the one decision made here.
    Self-handled reports (自处理) need before and after photos and await intake approval.
    ``attach(case)`` runs inside the report's transaction once the case exists (a channel's own
    record, such as the Open311 request, commits with the case or not at all); it is not
    called when an idempotent retry returns the existing case. ``number``: one the channel
    reserved with ``next_numbers`` when it received the report (else the next is taken).
    """
    if source not in _SOURCES:
        raise DomainError(_("Unknown source."), field="source")
    allowed = SOURCE_ROLES[source]
    if allowed is not None and not actor_for(actor).has_role(*allowed):
        raise PermissionDenied(_("Your role may not report through this source."))
    client = (client or (f"user:{actor.pk}" if getattr(actor, "pk", None) else source))[:80]
    key = idempotency_key.strip()[:100]
    if (found := _existing(client, key)) is not None:
        return found
    now = timezone.now()
    case, decision = report_draft(
        source=source,
        cat=category_check(category),
        lon=lon,
        lat=lat,
        address=address,
        description=description,
        answers=answers,
        reporter_name=reporter_name,
        reporter_phone=reporter_phone,
        user=actor if getattr(actor, "is_authenticated", False) else None,
        coord_sys=coord_sys,
        client=client,
        key=key,
        urgency=urgency,
        component=component,
        reported_at=now,
    )
    if source == Source.SELF_HANDLED and (not photos or not after_photos):
        raise DomainError(
            _("A self-handled report needs photos before and after the work."), field="photos"
        )
    before_images = photos_prepare(photos)
    after_images = photos_prepare(after_photos)
    number = number or (_next_number(now) if reserve_early() else "")
    # Case, event and audit row are one statement on PostgreSQL (``insert_linked``); with
    # nothing else to write and no caller's transaction, that statement is the transaction.
    extras = before_images or after_images or attach is not None or source == Source.SELF_HANDLED
    alone = links_in_one_statement(Case) and not extras and not connection.in_atomic_block
    try:
        # A savepoint (when nested) only where a duplicate key can be answered by the retry
        # below; without a key an IntegrityError is re-raised and rolls the caller back anyway.
        with nullcontext() if alone else transaction.atomic(savepoint=bool(key)):
            private_code = report_seal(case, number or _next_number(now))
            event = report_event(case, decision)
            insert_linked(
                case, [(event, "case_id"), (report_audit(case, decision, actor), "target_id")]
            )
            photos_store(case=case, kind=PhotoKind.BEFORE, processed=before_images, event=event,
                         actor=actor)  # fmt: skip
            photos_store(case=case, kind=PhotoKind.AFTER, processed=after_images, event=event,
                         actor=actor)  # fmt: skip
            if source == Source.SELF_HANDLED:
                notices.send(
                    notices.role_users(Role.INTAKE_CLERK),
                    case,
                    "case.self_handled",
                    notices.title(notices.MESSAGES["self_handled"], case),
                )
            if attach is not None:
                attach(case)
    except IntegrityError:
        # A concurrent retry with the same key won the unique constraint: return its case.
        if (found := _existing(client, key)) is not None:
            return found
        raise
    case.tracking_code = private_code  # type: ignore[attr-defined]
    case.replayed = False  # type: ignore[attr-defined]
    return case


def case_find_by_tracking_code(*, number: str, code: str) -> Case | None:
    """The case a reporter follows with its number and private code (public status page)."""
    case = Case.objects.filter(number=number.strip()).first()
    if case is None or not hmac.compare_digest(case.tracking_hash, tracking_hash(code)):
        return None
    return case
