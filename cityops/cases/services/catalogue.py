"""Writes of the catalogue: the idempotent loader used by the demo and by administrators."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from cityops.cases.models import Category, Question, TimeLimit, Urgency
from cityops.core.audit import audit_record
from cityops.registry.models import ComponentType


@dataclass(frozen=True)
class LoadResult:
    categories: int
    created: int


def _major(entry: dict[str, Any]) -> tuple[Category, bool]:
    return Category.objects.update_or_create(
        kind=entry["kind"], code=entry["code"], defaults={"name": entry["name"], "parent": None}
    )


@transaction.atomic
def catalogue_load(*, data: Iterable[dict[str, Any]], actor: Any = None) -> LoadResult:
    """Create or update categories, limits and questions; running it twice changes nothing."""
    total = created = 0
    for entry in data:
        major, was_created = _major(entry)
        total, created = total + 1, created + int(was_created)
        for order, child in enumerate(entry["children"]):
            (code, name, service, filing, closing, normal, urgent, radius, window, note,
             questions) = child  # fmt: skip
            ctype = None
            if entry["kind"] == "component":
                ctype = ComponentType.objects.filter(
                    major_code=code[:2], minor_code=code[2:]
                ).first()
            minor, was_created = Category.objects.update_or_create(
                kind=entry["kind"],
                code=code,
                defaults={
                    "parent": major,
                    "name": name,
                    "service_type": service,
                    "filing_condition": filing,
                    "closing_condition": closing,
                    "duplicate_radius_m": radius,
                    "duplicate_window_hours": window,
                    "source_note": note,
                    "component_type": ctype,
                    "sort_order": order,
                },
            )
            total, created = total + 1, created + int(was_created)
            for urgency, (amount, unit) in ((Urgency.NORMAL, normal), (Urgency.URGENT, urgent)):
                TimeLimit.objects.update_or_create(
                    category=minor, urgency=urgency, defaults={"amount": amount, "unit": unit}
                )
            for qorder, question in enumerate(questions):
                Question.objects.update_or_create(
                    category=minor,
                    code=question["code"],
                    defaults={
                        "label": question["label"],
                        "kind": question["kind"],
                        "required": question["required"],
                        "choices": question["choices"],
                        "order": qorder,
                    },
                )
    audit_record(
        code="case.catalogue.loaded",
        target_type="cases.category",
        actor=actor,
        summary=f"{total} categories, {created} new",
        data={"categories": total, "created": created},
    )
    return LoadResult(categories=total, created=created)
