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
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, connections, router, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cityops.accounts.access import actor_for
from cityops.accounts.models import Role
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
from cityops.cases.routing import route
from cityops.cases.services import notices
from cityops.cases.services.photos import photos_prepare, photos_store
from cityops.core.audit import audit_record, insert_one
from cityops.core.coords import to_wgs84
from cityops.core.crypto import blind_index
from cityops.core.errors import DomainError, PermissionDenied
from cityops.registry.models import Component
from cityops.registry.spatial import pinned_index

# Who may report through each source (None: anyone, signed in or not).
SOURCE_ROLES: dict[str, tuple[str, ...] | None] = {
    Source.INSPECTOR: (Role.INSPECTOR,),
    Source.HOTLINE: (Role.INTAKE_CLERK,),
    Source.LEADER: (Role.INTAKE_CLERK, Role.SHIFT_LEAD),
    Source.SENSOR: (Role.SYSTEM_ADMIN, Role.INTAKE_CLERK),
    Source.SELF_HANDLED: (Role.INSPECTOR,),
    Source.PUBLIC: None,
}
_SOURCES, _URGENCIES = frozenset(Source.values), frozenset(Urgency.values)
MAX_DESCRIPTION = 2000
_PHONE = re.compile(r"^\+?[\d\s\-()]{7,20}$")


def tracking_code_for(case: Case) -> str:
    """The reporter's private code: derived with the secret key, only its hash is stored."""
    message = f"case-tracking:{case.number}:{case.tracking_nonce}".encode()
    digest = hmac.new(str(settings.SECRET_KEY).encode(), message, "sha256").hexdigest()
    return digest[:12].upper()


def tracking_hash(code: str) -> str:
    return hashlib.sha256(code.strip().upper().encode()).hexdigest()


def _bump(day: Any) -> int | None:
    """Add one to the day's counter and return it (one statement: ``UPDATE … RETURNING``)."""
    table = connection.ops.quote_name(CaseNumberCounter._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f'UPDATE {table} SET "last" = "last" + 1 WHERE "day" = %s RETURNING "last"',  # noqa: S608
            [connection.ops.adapt_datefield_value(day)],
        )
        row = cursor.fetchone()
    return int(row[0]) if row else None


def _reserve_early() -> bool:
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


def _next_number(now: Any) -> str:
    day = timezone.localtime(now).date()
    # UPDATE … RETURNING: numbers are unique and ordered per day (the row lock serialises).
    last = _bump(day)
    if last is None:
        try:
            with transaction.atomic():
                CaseNumberCounter.objects.create(day=day, last=1)
            last = 1
        except IntegrityError:
            last = _bump(day)
    assert last is not None
    return f"{day:%Y%m%d}{last:05d}"


def _category(value: Category | int | str) -> Category:
    if isinstance(value, Category):
        category: Category | None = value
    else:
        category = Category.objects.filter(pk=value).first() if str(value).isdigit() else None
    if category is None or not category.active or not category.is_minor:
        raise DomainError(_("Choose an active minor category."), field="category")
    return category


_QUESTIONS_SQL: dict[str, str] = {}


def _question_specs(cat: Category) -> list[QuestionSpec]:
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
    return case


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
) -> Case:
    """Create a case (or return the one a previous call with the same key created).

    The returned case carries ``tracking_code`` (the reporter's private code, shown once).
    Self-handled reports (自处理) need before and after photos and await intake approval.
    ``attach(case)`` runs inside the report's transaction once the case exists (a channel's own
    record, such as the Open311 request, commits with the case or not at all); it is not
    called when an idempotent retry returns the existing case.
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
    cat = _category(category)
    if urgency not in _URGENCIES:
        raise DomainError(_("Unknown urgency."), field="urgency")
    text = description.strip()
    if not text or len(text) > MAX_DESCRIPTION:
        raise DomainError(
            _("Describe the problem (1 to %(n)d characters).") % {"n": MAX_DESCRIPTION},
            field="description",
        )
    x, y = _point(lon, lat, coord_sys)
    with pinned_index() as idx:  # one registry-version read for locating and routing
        ctx = idx.locate(x, y)
        if ctx.district_id is not None:
            decision = route(category=cat, lon=x, lat=y, component=component, context=ctx)
    if ctx.district_id is None:
        raise DomainError(_("The place is outside the governed area."), field="lon")
    cleaned = clean_answers(_question_specs(cat), answers)
    name, phone = _check_reporter(reporter_name, reporter_phone)
    if source == Source.SELF_HANDLED and (not photos or not after_photos):
        raise DomainError(
            _("A self-handled report needs photos before and after the work."), field="photos"
        )
    before_images = photos_prepare(photos)
    after_images = photos_prepare(after_photos)
    status: dict[str, str] = {
        Source.PUBLIC: Status.AWAITING_VERIFICATION,
        Source.SELF_HANDLED: Status.SELF_HANDLED,
    }
    now = timezone.now()
    user = actor if getattr(actor, "is_authenticated", False) else None
    number = _next_number(now) if _reserve_early() else ""
    try:
        # A savepoint (when nested) only where a duplicate key can be answered by the retry
        # below; without a key an IntegrityError is re-raised and rolls the caller back anyway.
        with transaction.atomic(savepoint=bool(key)):
            case = Case(
                number=number or _next_number(now),
                source=source,
                category=cat,
                urgency=urgency,
                status=status.get(source, Status.REPORTED),
                description=text,
                address=address.strip()[:200],
                answers=cleaned,
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
                reporter_name=name,
                reporter_phone=phone,
                reporter_phone_index=blind_index(phone, purpose="case_reporter_phone")
                if phone
                else "",
                reported_by=user,
                tracking_nonce=secrets.token_hex(8),
                client=client,
                idempotency_key=key,
                reported_at=now,
            )
            # Number and nonce are known before the insert: one INSERT, no follow-up UPDATE.
            private_code = tracking_code_for(case)
            case.tracking_hash = tracking_hash(private_code)
            insert_one(case)
            event = CaseEvent(
                case=case,
                at=now,
                actor=user,
                action="report",
                from_status="",
                to_status=case.status,
                data={"source": source, "routing": decision.matched_by},
            )
            insert_one(event)
            photos_store(case=case, kind=PhotoKind.BEFORE, processed=before_images, event=event,
                         actor=actor)  # fmt: skip
            photos_store(case=case, kind=PhotoKind.AFTER, processed=after_images, event=event,
                         actor=actor)  # fmt: skip
            audit_record(
                code="case.report",
                target=case,
                actor=actor,
                summary=f"{case.number} {source} {cat.code}",
                data={
                    "source": source,
                    "category": cat.code,
                    "status": case.status,
                    "routed_org": decision.org_id,
                    "matched_by": decision.matched_by,
                },
            )
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
    return case


def case_find_by_tracking_code(*, number: str, code: str) -> Case | None:
    """The case a reporter follows with its number and private code (public status page)."""
    case = Case.objects.filter(number=number.strip()).first()
    if case is None or not hmac.compare_digest(case.tracking_hash, tracking_hash(code)):
        return None
    return case
