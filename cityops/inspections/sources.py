"""The inspections app's sources for the evaluation (registered in ``apps.py``).

``snow_event_inspections`` gives a snowfall event's submitted acceptance inspections, with their
road and findings, to the per-event snow evaluation (``evaluations.snow``).

The ``InspectionSource`` of the monthly evaluation run:

``monthly_inspections`` answers for all contracts of a month in four queries: the submitted
inspections of the month, the components of their scheme versions, their findings and their
sensory section ratings. Every checklist or sensory component of an inspected scheme is present
(with an empty mapping when nothing was found: full marks), quantities are summed per item, and
``evidence`` lists the inspections behind each item so the stored run allows the drill-down
score → item → inspection → photo.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping, Sequence
from decimal import Decimal

from cityops.evaluations.interfaces import InspectionMonth, SnowInspection
from cityops.evaluations.models import ComponentKind, SchemeComponent
from cityops.evaluations.scoring import SensoryRating
from cityops.inspections.models import Finding, Inspection, SensorySection, Status

SENSORY_EVIDENCE = "sensory"


def monthly_inspections(
    *, contract_ids: Sequence[int], month: dt.date
) -> Mapping[int, InspectionMonth]:
    first = month.replace(day=1)
    rows = list(
        Inspection.objects.filter(
            contract_id__in=list(contract_ids), month=first, status=Status.SUBMITTED
        ).values_list("pk", "contract_id", "scheme_id")
    )
    if not rows:
        return {}
    contract_of = {pk: contract for pk, contract, _scheme in rows}
    codes: dict[int, list[str]] = defaultdict(list)
    for scheme_id, code in SchemeComponent.objects.filter(
        scheme_id__in={scheme for _pk, _c, scheme in rows},
        kind__in=[ComponentKind.CHECKLIST, ComponentKind.SENSORY],
    ).values_list("scheme_id", "code"):
        codes[scheme_id].append(code)
    findings: dict[int, dict[str, dict[str, Decimal]]] = defaultdict(dict)
    evidence: dict[int, dict[str, dict[str, set[int]]]] = defaultdict(dict)
    for _pk, contract, scheme in rows:
        for code in codes[scheme]:
            findings[contract].setdefault(code, {})
    for inspection_id, component, item, quantity in (
        Finding.objects.filter(inspection_id__in=contract_of)
        .order_by()
        .values_list("inspection_id", "component_code", "item_code", "quantity")
    ):
        contract = contract_of[inspection_id]
        items = findings[contract].setdefault(component, {})
        items[item] = items.get(item, Decimal(0)) + quantity
        if quantity > 0:
            evidence[contract].setdefault(component, {}).setdefault(item, set()).add(inspection_id)
    sections: dict[tuple[int, str, int], list[SensoryRating]] = defaultdict(list)
    for inspection_id, component, number, side, rater, ratings in (
        SensorySection.objects.filter(inspection_id__in=contract_of)
        .order_by("inspection_id", "component_code", "number", "side", "rater")
        .values_list("inspection_id", "component_code", "number", "side", "rater", "ratings")
    ):
        sections[(inspection_id, component, number)].append(
            SensoryRating(side=side, inspector=rater, ratings=tuple(int(r) for r in ratings))
        )
    sensory: dict[int, dict[str, list[list[SensoryRating]]]] = defaultdict(dict)
    for (inspection_id, component, _number), ratings in sections.items():
        contract = contract_of[inspection_id]
        sensory[contract].setdefault(component, []).append(ratings)
        evidence[contract].setdefault(component, {}).setdefault(SENSORY_EVIDENCE, set()).add(
            inspection_id
        )
    return {
        contract: InspectionMonth(
            findings=findings[contract],
            sensory=sensory.get(contract, {}),
            evidence={
                component: {item: sorted(ids) for item, ids in items.items()}
                for component, items in evidence.get(contract, {}).items()
            },
        )
        for contract in sorted(set(contract_of.values()))
    }


def snow_event_inspections(*, event_id: int) -> Sequence[SnowInspection]:
    inspections = list(
        Inspection.objects.filter(snow_event_id=event_id, status=Status.SUBMITTED)
        .select_related("road_segment")
        .order_by("contract_id", "pk")
    )
    found: dict[int, dict[str, Decimal]] = defaultdict(dict)
    for inspection_id, component, item, quantity in Finding.objects.filter(
        inspection__in=inspections
    ).values_list("inspection_id", "component_code", "item_code", "quantity"):
        key = f"{component}/{item}"
        found[inspection_id][key] = found[inspection_id].get(key, Decimal(0)) + quantity
    return [
        SnowInspection(
            pk=inspection.pk,
            contract_id=inspection.contract_id,
            road=str(inspection.road_segment) if inspection.road_segment else "",
            road_class=inspection.road_segment.road_class if inspection.road_segment else "",
            at=inspection.finished_at or inspection.submitted_at,
            found=found.get(inspection.pk, {}),
        )
        for inspection in inspections
    ]
