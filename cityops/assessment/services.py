"""Writes: the comprehensive evaluation rules (validated, audited)."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from cityops.assessment.formulas import rules_validate
from cityops.assessment.models import AssessmentRules
from cityops.core.audit import audit_record


@transaction.atomic
def assessment_rules_update(*, data: Any, notes: str = "", actor: Any) -> AssessmentRules:
    """Replace the rules in force; a DomainError explains a bad value (nothing is saved)."""
    rules_validate(data)
    row, _created = AssessmentRules.objects.select_for_update().get_or_create(code="default")
    before = row.data
    row.data = data
    row.notes = notes
    row.updated_by = actor if getattr(actor, "is_authenticated", False) else None
    row.save()
    audit_record(
        code="assessment.rules.changed",
        target=row,
        actor=actor,
        summary=row.code,
        data={"before": before, "after": data},
    )
    return row
