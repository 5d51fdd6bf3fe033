"""Reporter personal data: the full value only for roles that need it, each reveal audited."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from cityops.cases.access import access_case, may_reveal_reporter, reveal_needs_purpose
from cityops.core.audit import audit_record
from cityops.core.errors import DomainError, PermissionDenied


@dataclass(frozen=True)
class Reporter:
    name: str
    phone: str


@transaction.atomic
def case_reveal_reporter(*, case_id: int, actor: Any, purpose: str = "") -> Reporter:
    """Decrypt the reporter's name and phone for an intake clerk, shift lead or dispatcher, or
    for the system administrator with a stated purpose (an empty one is refused)."""
    case = access_case(case_id, actor)
    if not may_reveal_reporter(actor):
        raise PermissionDenied(_("Your role may not see the reporter's personal data."))
    if reveal_needs_purpose(actor) and not purpose.strip():
        raise DomainError(_("State the purpose of seeing the personal data."), field="purpose")
    audit_record(
        code="case.reporter_revealed",
        target=case,
        actor=actor,
        summary=case.number,
        data={"purpose": purpose.strip()[:200]},
    )
    return Reporter(name=case.reporter_name or "", phone=case.reporter_phone or "")
