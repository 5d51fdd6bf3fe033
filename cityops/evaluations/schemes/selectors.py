"""Reads: scheme snapshots, the version in force, which scheme scores which contract."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.db.models import Min, Prefetch, Q

from cityops.evaluations.models import (
    Scheme,
    SchemeComponent,
    SchemeFamily,
    SchemeScope,
    SchemeStatus,
)
from cityops.registry.models import Contract, ServiceType


def scheme_with_rules(scheme_id: int) -> Scheme:
    return (
        Scheme.objects.select_related("family")
        .prefetch_related(
            Prefetch("components", queryset=SchemeComponent.objects.prefetch_related("items")),
            "bands",
            "penalties",
        )
        .get(pk=scheme_id)
    )


def scheme_snapshot(scheme: Scheme) -> dict[str, Any]:
    """The whole version as JSON-ready data (prefetch with ``scheme_with_rules``)."""
    return {
        "family": scheme.family.code,
        "version": scheme.version,
        "components": [
            {
                "code": c.code,
                "name": c.name,
                "kind": c.kind,
                "weight": str(c.weight),
                "max_points": str(c.max_points),
                "missing": c.missing,
                "config": c.config,
                "items": [
                    {
                        "code": i.code,
                        "name": i.name,
                        "rule": i.rule,
                        "points": str(i.points),
                        "cap": None if i.cap is None else str(i.cap),
                        "veto": i.veto,
                    }
                    for i in c.items.all()
                ],
            }
            for c in scheme.components.all()
        ],
        "bands": [
            {"code": b.code, "name": b.name, "min_score": str(b.min_score)}
            for b in scheme.bands.all()
        ],
        "veto": {"mode": scheme.veto_mode, "score": str(scheme.veto_score)},
        "payment": {
            "pass_mark": str(scheme.pass_mark),
            "percent_per_point": str(scheme.percent_per_point),
            "veto_percent": str(scheme.veto_percent),
            "cap_percent": None if scheme.cap_percent is None else str(scheme.cap_percent),
            "penalties": [
                {
                    "code": p.code,
                    "name": p.name,
                    "percent_of_fee": str(p.percent_of_fee),
                    "amount": str(p.amount),
                }
                for p in scheme.penalties.all()
            ],
        },
    }


def scheme_in_force(*, family_id: int, day: dt.date) -> Scheme | None:
    """The published version whose validity covers ``day`` (a month: its first day)."""
    return (
        Scheme.objects.filter(
            family_id=family_id, status=SchemeStatus.PUBLISHED, valid_from__lte=day
        )
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=day))
        .order_by("-valid_from", "-version")
        .first()
    )


def contracts_active(*, first: dt.date, last: dt.date) -> list[Contract]:
    return list(
        Contract.objects.filter(start_date__lte=last, end_date__gte=first)
        .select_related("operator")
        .order_by("number")
    )


def families_for_contracts(contracts: Sequence[Contract]) -> dict[int, SchemeFamily]:
    """The monthly scheme family of each contract: same service type; for landscaping the
    family of the contract's highest maintenance grade (一级 = 1), else a family without a grade,
    else the first of its type by code. Contracts of a type without any family are left out."""
    families = list(SchemeFamily.objects.filter(scope=SchemeScope.MONTHLY).order_by("code"))
    grades = dict(
        Contract.objects.filter(
            pk__in=[c.pk for c in contracts], service_type=ServiceType.LANDSCAPING
        )
        .annotate(grade=Min("lots__green_spaces__maintenance_grade"))
        .values_list("pk", "grade")
    )
    chosen: dict[int, SchemeFamily] = {}
    for contract in contracts:
        grade = grades.get(contract.pk)
        candidates = [f for f in families if f.service_type == contract.service_type]
        exact = [f for f in candidates if grade is not None and f.maintenance_grade == grade]
        generic = [f for f in candidates if f.maintenance_grade is None]
        options = exact or generic or candidates
        if options:
            chosen[contract.pk] = options[0]
    return chosen
