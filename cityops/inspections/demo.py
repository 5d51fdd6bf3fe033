"""Demo step ``inspections``: plans and realistic submitted inspections for the months that have
case history (after the ``history`` step). Idempotent: lots that already have a plan for a month
are left alone. Kept fast: at most ``PER_PLAN`` inspections of each plan are recorded (the rest
stay planned, which shows completion tracking), with tiny generated photos and signatures.
"""

from __future__ import annotations

import datetime as dt
import functools
import io
import random
from decimal import Decimal
from typing import Any

from django.db.models import Max, Min
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image, ImageDraw

from cityops.accounts.models import Membership, Role
from cityops.cases.history.generate import TAG
from cityops.cases.models import Case
from cityops.core.periods import Period
from cityops.evaluations.demo import load_demo_schemes
from cityops.evaluations.models import ComponentKind, SchemeComponent, SnowEvent
from cityops.inspections.assets import asset_point
from cityops.inspections.models import Inspection, Kind, Status
from cityops.inspections.services.inspections import (
    FindingInput,
    Position,
    SectionInput,
    inspection_create,
    inspection_record,
    inspection_submit,
)
from cityops.inspections.services.plans import inspection_assign, plans_draw_month
from cityops.inspections.services.snow import snow_acceptance_plan, snow_event_create

PER_PLAN = 4
FAR_SHARE = 0.05


def _user(*roles: str) -> Any:
    ms = (
        Membership.objects.filter(role__in=roles, active=True, user__is_active=True)
        .select_related("user")
        .order_by("-user__username")  # demo_* accounts before others of the role
        .first()
    )
    return ms.user if ms else None


def _png(rng: random.Random) -> bytes:
    image = Image.new("RGBA", (160, 60), (255, 255, 255, 0))
    draw = ImageDraw.Draw(image)
    points = [(10 + 14 * i, 30 + rng.randint(-18, 18)) for i in range(11)]
    draw.line(points, fill=(20, 20, 20, 255), width=3)
    buf = io.BytesIO()
    image.save(buf, "PNG")
    return buf.getvalue()


def _jpeg(rng: random.Random) -> bytes:
    buf = io.BytesIO()
    shade = (rng.randint(90, 160), rng.randint(90, 140), rng.randint(60, 110))
    Image.new("RGB", (64, 48), shade).save(buf, "JPEG", quality=70)
    return buf.getvalue()


def _months(first: dt.date, last: dt.date) -> list[dt.date]:
    if last < first:
        return []
    return [month.first for month in Period.range(first, last).months()]


@functools.cache
def _scheme_components(scheme_id: int) -> list[SchemeComponent]:
    return list(
        SchemeComponent.objects.filter(
            scheme_id=scheme_id, kind__in=[ComponentKind.CHECKLIST, ComponentKind.SENSORY]
        ).prefetch_related("items")
    )


def _form(inspection: Inspection, rng: random.Random, rater: str) -> dict[str, Any]:
    findings, sections = [], []
    for c in _scheme_components(inspection.scheme_id):
        for item in c.items.all():
            if item.veto or rng.random() > 0.18:
                continue
            findings.append(FindingInput(c.code, item.code, Decimal(rng.choice([1, 1, 1, 2, 3]))))
        if c.kind == ComponentKind.SENSORY:
            base = rng.choice([5, 5, 4, 4, 3])
            for number in (1, 2):
                for side in ("left", "right"):
                    ratings = tuple(
                        max(0, min(5, base - rng.choice([0, 0, 0, 1]))) for _k in range(4)
                    )
                    sections.append(SectionInput(c.code, number, side, rater, ratings))
    lon, lat = asset_point(inspection.asset)
    if rng.random() < FAR_SHARE:
        lat += 0.004  # ≈ 450 m off: the far flag shows in the demo
    else:
        lon += rng.uniform(-0.0002, 0.0002)
        lat += rng.uniform(-0.0002, 0.0002)
    photos = [(findings[0].item, _jpeg(rng))] if findings else []
    return {
        "findings": findings,
        "sections": sections,
        "photos": photos,
        "position": Position(lon, lat, rng.uniform(4, 25), "gps"),
    }


def _perform(inspection: Inspection, inspector: Any, rng: random.Random, submit: bool) -> None:
    form = _form(inspection, rng, str(inspector))
    inspection_record(
        inspection_id=inspection.pk, actor=inspector, operator_signer="现场负责人", notes="", **form
    )
    if submit:
        signatures = {}
        if inspection.kind != Kind.UNANNOUNCED:
            signatures = {"inspector_signature": _png(rng), "operator_signature": _png(rng)}
        inspection_submit(inspection_id=inspection.pk, actor=inspector, **signatures)


def inspections_step(context: Any) -> str:
    load_demo_schemes()
    span = Case.objects.filter(client=TAG).aggregate(a=Min("reported_at"), b=Max("reported_at"))
    if span["a"] is None:
        return _("skipped: no case history.")
    supervisor = _user(Role.BUREAU_SUPERVISOR, Role.SYSTEM_ADMIN)
    inspector = _user(Role.INSPECTOR)
    if supervisor is None or inspector is None:
        return _("skipped: load the demo users first.")
    _scheme_components.cache_clear()
    rng = random.Random(context.seed)  # noqa: S311 (demo data, reproducible on purpose)
    today = timezone.localdate()
    tz = timezone.get_current_timezone()
    months = _months(
        timezone.localtime(span["a"], tz).date(), timezone.localtime(span["b"], tz).date()
    )
    plans = recorded = 0
    for month in months:
        drawn = plans_draw_month(
            month=month, actor=supervisor, seed=context.seed * 1000 + month.month
        )
        plans += len(drawn)
        ended = Period.month_of(month).last < today
        for plan in drawn:
            rows = list(plan.inspections.order_by("id")[:PER_PLAN])
            if not rows:
                continue
            inspection_assign(
                inspection_ids=[r.pk for r in rows], inspector_id=inspector.pk, actor=supervisor
            )
            for k, row in enumerate(rows):
                if not ended and k % 2:
                    continue  # the current month is half done
                _perform(row, inspector, rng, submit=True)
                recorded += 1
            road = plan.lot.road_segments.order_by("id").first()
            if road is not None:
                secret = inspection_create(
                    kind=Kind.UNANNOUNCED, asset=f"road:{road.pk}", actor=inspector, month=month
                )
                _perform(secret, inspector, rng, submit=ended)
                recorded += 1
        recorded += snow_demo(month=month, supervisor=supervisor, inspector=inspector, rng=rng)
    submitted = Inspection.objects.filter(status=Status.SUBMITTED).count()
    return _(
        "%(plans)d plans drawn over %(months)d months, %(n)d inspections recorded "
        "(%(s)d submitted in all)."
    ) % {"plans": plans, "months": len(months), "n": recorded, "s": submitted}


def snow_demo(*, month: dt.date, supervisor: Any, inspector: Any, rng: random.Random) -> int:
    """One moderate snowfall in a winter month of the history; the first roads accepted."""
    if month.month not in (11, 12, 1, 2, 3) or SnowEvent.objects.exists():
        return 0
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(month.replace(day=8), dt.time(2), tzinfo=tz)
    if start + dt.timedelta(days=3) > timezone.now():
        return 0
    event = snow_event_create(
        name=_("Demo snowfall"),
        started_at=start,
        ended_at=start + dt.timedelta(hours=14),
        level="moderate",
        amount_mm=Decimal("6.5"),
        actor=supervisor,
    )
    snow_acceptance_plan(event_id=event.pk, actor=supervisor)
    rows = list(event.inspections.order_by("id")[:PER_PLAN])
    if rows:
        inspection_assign(
            inspection_ids=[r.pk for r in rows], inspector_id=inspector.pk, actor=supervisor
        )
    for row in rows:
        _perform(row, inspector, rng, submit=True)
    return len(rows)
