"""CSV import of the staff list: every row checked, then all written or none.

Reuses the registry importer's reader (UTF-8 with or without BOM, spreadsheet row numbers,
``restore_cell``), its ``Issue`` and ``ImportRejected`` (every row/field/reason listed) and
its progress callback. Columns: ``unit, staff_no, name, id_number, sex, retirement_category,
birth_date, establishment_type, post, service_start, batch`` and one ``pay:<item>`` column
per current pay item. ``docs/import-formats.md`` documents them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from cityops.core.audit import audit_record
from cityops.core.errors import DomainError
from cityops.registry.io.readers import read_csv
from cityops.registry.io.records import FileFormatError, Issue
from cityops.registry.io.services import ImportRejected, Progress, _no_progress
from cityops.staffing.access import is_hr
from cityops.staffing.models import (
    Batch,
    EstablishmentType,
    FormerUnit,
    RetirementCategory,
    Sex,
    StaffMember,
)
from cityops.staffing.services import staff_create

REQUIRED = ("unit", "staff_no", "name", "sex", "birth_date", "establishment_type")
OPTIONAL = ("id_number", "retirement_category", "post", "service_start", "batch")
PAY_PREFIX = "pay:"
MAX_ROWS = 5000

SEXES = {"m": Sex.MALE, "male": Sex.MALE, "男": Sex.MALE,
         "f": Sex.FEMALE, "female": Sex.FEMALE, "女": Sex.FEMALE}  # fmt: skip
CATEGORIES = {
    "": "",
    "men": RetirementCategory.MEN,
    "women_55": RetirementCategory.WOMEN_55,
    "women_50": RetirementCategory.WOMEN_50,
    "干部": RetirementCategory.WOMEN_55,
    "工人": RetirementCategory.WOMEN_50,
}
ESTABLISHMENT = {
    **{e.value: e.value for e in EstablishmentType},
    "行政": EstablishmentType.ADMINISTRATIVE,
    "参公": EstablishmentType.CIVIL_SERVANT_LIKE,
    "全额拨款事业": EstablishmentType.FULLY_FUNDED,
    "差额拨款事业": EstablishmentType.PARTLY_FUNDED,
    "自收自支": EstablishmentType.SELF_FUNDED,
    "编外合同制": EstablishmentType.CONTRACT,
    "劳务派遣": EstablishmentType.DISPATCHED,
}


@dataclass
class StaffRow:
    number: int
    values: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class StaffImportResult:
    created: int
    dry_run: bool


def _date(text: str) -> dt.date:
    return dt.date.fromisoformat(text.strip())


def _parse(number: int, raw: dict[str, str], units: dict[str, FormerUnit],
           batches: dict[str, Batch]) -> tuple[StaffRow | None, list[Issue]]:  # fmt: skip
    where = _("row %(n)d") % {"n": number}
    issues: list[Issue] = []

    def bad(column: str, message: str) -> None:
        issues.append(Issue(where, column, message))

    values = {k: (v or "").strip() for k, v in raw.items()}
    for column in REQUIRED:
        if not values.get(column):
            bad(column, _("This column is required."))
    out: dict[str, Any] = {}
    unit = units.get(values.get("unit", ""))
    if values.get("unit") and unit is None:
        bad("unit", _("Unknown former unit “%(v)s”.") % {"v": values["unit"]})
    out["unit"] = unit
    out["staff_no"], out["name"] = values.get("staff_no", ""), values.get("name", "")
    out["id_number"], out["post"] = values.get("id_number", ""), values.get("post", "")
    sex = SEXES.get(values.get("sex", "").lower())
    if values.get("sex") and sex is None:
        bad("sex", _("Write m or f (男/女)."))
    out["sex"] = sex
    category = CATEGORIES.get(values.get("retirement_category", "").lower())
    if category is None:
        bad("retirement_category", _("Write men, women_55 (干部) or women_50 (工人)."))
    out["category"] = category or ""
    kind = ESTABLISHMENT.get(values.get("establishment_type", ""))
    if values.get("establishment_type") and kind is None:
        bad("establishment_type", _("Unknown establishment type."))
    out["establishment_type"] = kind
    for column, key in (("birth_date", "birth_date"), ("service_start", "service_start")):
        if values.get(column):
            try:
                out[key] = _date(values[column])
            except ValueError:
                bad(column, _("Write the date as YYYY-MM-DD."))
    batch = None
    if values.get("batch"):
        batch = batches.get(values["batch"])
        if batch is None:
            bad("batch", _("Unknown batch “%(v)s”.") % {"v": values["batch"]})
    out["batch"] = batch
    pay: dict[str, str] = {}
    for column, value in values.items():
        if column.startswith(PAY_PREFIX) and value:
            pay[column[len(PAY_PREFIX) :].strip()] = value
    out["pay"] = pay
    return (None if issues else StaffRow(number, out)), issues


def staff_import(
    *,
    data: bytes,
    actor: Any,
    dry_run: bool = False,
    progress: Progress = _no_progress,
) -> StaffImportResult:
    """Check every row; write all rows (one audit event) or raise ``ImportRejected``."""
    if actor is not None and not is_hr(actor):
        raise DomainError(_("Only the HR officer may import the staff list."), code="forbidden")
    try:
        records, issues = read_csv(data)
    except FileFormatError as exc:
        raise ImportRejected([Issue(_("file"), "", str(exc))]) from None
    if len(records) > MAX_ROWS:
        raise ImportRejected([Issue(_("file"), "", _("At most %(n)d rows.") % {"n": MAX_ROWS})])
    header = set(records[0].values) if records else set()
    missing = [c for c in REQUIRED if records and c not in header]
    if missing:
        raise ImportRejected(
            [Issue(_("file"), c, _("The column is missing from the header.")) for c in missing]
        )
    units = {u.code: u for u in FormerUnit.objects.all()}
    batches = {b.code: b for b in Batch.objects.all()}
    existing = set(StaffMember.objects.values_list("unit__code", "staff_no"))
    seen: dict[tuple[str, str], int] = {}
    rows: list[StaffRow] = []
    for record in progress(records, len(records), _("validating")):
        row, row_issues = _parse(record.number, record.values, units, batches)
        issues += row_issues
        if row is None:
            continue
        key = (row.values["unit"].code, row.values["staff_no"])
        where = _("row %(n)d") % {"n": row.number}
        if key in existing:
            issues.append(
                Issue(
                    where,
                    "staff_no",
                    _("Staff number %(n)s is already registered.") % {"n": key[1]},
                )
            )
        elif key in seen:
            issues.append(Issue(where, "staff_no", _("Repeats row %(n)d.") % {"n": seen[key]}))
        seen.setdefault(key, row.number)
        rows.append(row)
    if issues:
        raise ImportRejected(issues)
    if dry_run:
        return StaffImportResult(created=len(rows), dry_run=True)
    with transaction.atomic():
        failures: list[Issue] = []
        for row in progress(rows, len(rows), _("writing")):
            try:
                staff_create(**row.values, actor=actor, audit=False)
            except DomainError as exc:
                failures.append(
                    Issue(_("row %(n)d") % {"n": row.number}, exc.field or "", str(exc.message))
                )
        if failures:
            transaction.set_rollback(True)
            raise ImportRejected(failures)
        audit_record(
            code="staffing.imported", actor=actor, target_type="staffing.staffmember",
            summary=str(len(rows)), data={"created": len(rows)},
        )  # fmt: skip
    return StaffImportResult(created=len(rows), dry_run=False)
