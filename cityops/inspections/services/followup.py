"""A deduction opens a case for the operator to fix, through the ordinary case intake.

The case has source *inspector*, the category the inspector chose, and is routed like any case
(``case_report`` → routing); its id is kept on the finding.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from cityops.cases.models import Case, Source
from cityops.cases.services import case_report
from cityops.core.audit import audit_record
from cityops.core.errors import Conflict, DomainError, NotFound
from cityops.inspections.access import access_inspection
from cityops.inspections.assets import asset_point
from cityops.inspections.models import Finding


def finding_open_case(*, finding_id: int, actor: Any, category: Any, description: str = "") -> Case:
    try:
        inspection_id = Finding.objects.values_list("inspection_id", flat=True).get(
            pk=int(finding_id)
        )
    except (Finding.DoesNotExist, ValueError, TypeError):
        raise NotFound(_("Finding not found.")) from None
    with transaction.atomic():
        inspection = access_inspection(inspection_id, actor, for_write=True)
        finding = Finding.objects.select_for_update().get(pk=finding_id)
        if finding.case_id is not None:
            raise Conflict(_("This finding already opened a case."), code="exists")
        if finding.quantity <= 0:
            raise DomainError(_("Only a deduction opens a case."), field="finding")
        asset = inspection.asset
        if (
            inspection.lon is not None
            and inspection.lat is not None
            and not (inspection.far_from_asset)
        ):
            lon, lat = inspection.lon, inspection.lat
        else:
            lon, lat = asset_point(asset)
        text = description.strip() or str(
            _("Inspection #%(n)d: %(item)s × %(q)s")
            % {"n": inspection.pk, "item": finding.item_name, "q": finding.quantity}
        )
        photos = [
            _read(p.original) for p in inspection.photos.filter(item_code=finding.item_code)[:5]
        ]
        case = case_report(
            source=Source.INSPECTOR,
            category=category,
            lon=lon,
            lat=lat,
            address=str(asset)[:200],
            description=text[:2000],
            photos=photos,
            actor=actor,
        )
        finding.case = case
        finding.save(update_fields=["case"])
        audit_record(
            code="inspection.finding.case_opened",
            target=inspection,
            actor=actor,
            summary=f"#{inspection.pk} {finding.item_code} → {case.number}",
            data={"finding": finding.pk, "case": case.pk},
        )
    return case


def _read(field: Any) -> bytes:
    with field.open("rb") as handle:
        return bytes(handle.read())
