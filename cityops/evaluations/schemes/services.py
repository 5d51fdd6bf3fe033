"""Writes of scheme versions: validate, new draft, publish, create from a plain spec.

A published scheme version never changes: ``scheme_new_version`` copies it into the next draft.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cityops.core.audit import audit_record
from cityops.core.errors import Conflict, DomainError
from cityops.evaluations import scoring as s
from cityops.evaluations.models import (
    GradeBand,
    PaymentPenalty,
    Scheme,
    SchemeComponent,
    SchemeItem,
    SchemeStatus,
)
from cityops.evaluations.runs import snapshots
from cityops.evaluations.schemes.selectors import (
    scheme_snapshot,
    scheme_with_rules,
)
from cityops.evaluations.transitions import SCHEME

# --- Scheme versions -------------------------------------------------------------------------


def scheme_validate(*, scheme: Scheme) -> s.Scheme:
    """The version as the scoring core sees it; a DomainError explains any inconsistency."""
    try:
        return snapshots.core_scheme(scheme_snapshot(scheme_with_rules(scheme.pk)))
    except s.ScoringError as exc:
        raise DomainError(exc.message, code=exc.code) from exc


@transaction.atomic
def scheme_new_version(*, scheme_id: int, actor: Any) -> Scheme:
    """Copy a version (usually the published one) into the family's next draft."""
    source = scheme_with_rules(scheme_id)
    latest = Scheme.objects.select_for_update().filter(family_id=source.family_id)
    number = (latest.aggregate(n=Max("version"))["n"] or 0) + 1
    draft = Scheme.objects.create(
        family_id=source.family_id,
        version=number,
        status=SchemeStatus.DRAFT,
        valid_from=source.valid_from,
        notes=source.notes,
        veto_mode=source.veto_mode,
        veto_score=source.veto_score,
        pass_mark=source.pass_mark,
        percent_per_point=source.percent_per_point,
        veto_percent=source.veto_percent,
        cap_percent=source.cap_percent,
    )
    for component in source.components.all():
        items = list(component.items.all())
        component.pk = None
        component.scheme = draft
        component.save()
        for item in items:
            item.pk = None
            item.component = component
            item.save()
    for band in source.bands.all():
        band.pk = None
        band.scheme = draft
        band.save()
    for penalty in source.penalties.all():
        penalty.pk = None
        penalty.scheme = draft
        penalty.save()
    audit_record(
        code="evaluation.scheme.drafted",
        target=draft,
        actor=actor,
        summary=str(draft),
        data={"from_version": source.version},
    )
    return draft


@transaction.atomic
def scheme_publish(*, scheme_id: int, actor: Any, valid_from: dt.date | None = None) -> Scheme:
    """Publish a draft from the first day of a month; the version before it ends the day before.

    Versions succeed each other: a new one must start after the latest published one started,
    so the history of which rules scored which month is never rewritten.
    """
    scheme = Scheme.objects.select_for_update().get(pk=scheme_id)
    if scheme.status != SchemeStatus.DRAFT:
        raise Conflict(_("Only a draft can be published."), code="not_draft")
    SCHEME.check(scheme.status, SchemeStatus.PUBLISHED)  # the status table (transitions.py)
    start = valid_from or scheme.valid_from
    if start.day != 1:
        raise DomainError(_("A version starts on the first day of a month."), field="valid_from")
    scheme_validate(scheme=scheme)
    published = Scheme.objects.select_for_update().filter(
        family_id=scheme.family_id, status=SchemeStatus.PUBLISHED
    )
    if published.filter(valid_from__gte=start).exists():
        raise Conflict(
            _("A published version already starts on or after this month."), code="overlap"
        )
    published.filter(valid_to__isnull=True).update(valid_to=start - dt.timedelta(days=1))
    published.filter(valid_to__gte=start).update(valid_to=start - dt.timedelta(days=1))
    scheme.status = SchemeStatus.PUBLISHED
    scheme.valid_from = start
    scheme.valid_to = None
    scheme.published_at = timezone.now()
    scheme.published_by = actor if getattr(actor, "is_authenticated", False) else None
    scheme.save(update_fields=["status", "valid_from", "valid_to", "published_at", "published_by"])
    audit_record(
        code="evaluation.scheme.published",
        target=scheme,
        actor=actor,
        summary=str(scheme),
        data={"valid_from": start.isoformat()},
    )
    return scheme


def scheme_create(*, family_id: int, spec: dict[str, Any], valid_from: dt.date) -> Scheme:
    """A draft from a plain spec (demo data, imports): components with items, bands, penalties."""
    number = (Scheme.objects.filter(family_id=family_id).aggregate(n=Max("version"))["n"] or 0) + 1
    payment = spec.get("payment", {})
    veto = spec.get("veto", {})
    scheme = Scheme.objects.create(
        family_id=family_id,
        version=number,
        valid_from=valid_from,
        notes=spec.get("notes", ""),
        veto_mode=veto.get("mode", s.VetoMode.GRADE_ONLY),
        veto_score=Decimal(str(veto.get("score", 0))),
        pass_mark=Decimal(str(payment.get("pass_mark", 90))),
        percent_per_point=Decimal(str(payment.get("percent_per_point", 5))),
        veto_percent=Decimal(str(payment.get("veto_percent", 0))),
        cap_percent=None
        if payment.get("cap_percent") is None
        else Decimal(str(payment["cap_percent"])),
    )
    for order, c in enumerate(spec["components"]):
        component = SchemeComponent.objects.create(
            scheme=scheme,
            code=c["code"],
            name=c["name"],
            kind=c["kind"],
            weight=Decimal(str(c["weight"])),
            max_points=Decimal(str(c.get("max_points", 100))),
            missing=c.get("missing", s.MissingInput.REWEIGHT),
            config=c.get("config", {}),
            order=order,
        )
        SchemeItem.objects.bulk_create(
            SchemeItem(
                component=component,
                code=i["code"],
                name=i["name"],
                rule=i.get("rule", s.DeductionRule.PER_OCCURRENCE),
                points=Decimal(str(i.get("points", 0))),
                cap=None if i.get("cap") is None else Decimal(str(i["cap"])),
                veto=bool(i.get("veto", False)),
                snow_left=i.get("snow_left", ""),
                order=n,
            )
            for n, i in enumerate(c.get("items", ()))
        )
    GradeBand.objects.bulk_create(
        GradeBand(scheme=scheme, code=b["code"], name=b["name"], min_score=Decimal(str(b["min"])))
        for b in spec["bands"]
    )
    PaymentPenalty.objects.bulk_create(
        PaymentPenalty(
            scheme=scheme,
            code=p["code"],
            name=p["name"],
            percent_of_fee=Decimal(str(p.get("percent", 0))),
            amount=Decimal(str(p.get("amount", 0))),
        )
        for p in payment.get("penalties", ())
    )
    return scheme
