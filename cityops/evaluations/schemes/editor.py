"""Editing a draft scheme version from the supervisor's editor (forms and formsets).

``scheme_draft_edit`` locks the draft, applies the edit, checks the whole version with the
scoring core (``services.scheme_validate``) and audits it; an inconsistent result is rolled back
whole and explained. Published versions are never edited (edit means: a new draft first).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from cityops.core.audit import audit_record
from cityops.core.errors import Conflict
from cityops.evaluations.models import Scheme, SchemeStatus
from cityops.evaluations.schemes.services import scheme_validate


def scheme_draft_edit(
    *, scheme_id: int, actor: Any, part: str, apply: Callable[[Scheme], list[str]]
) -> Scheme:
    """``apply`` writes the edit and returns what changed (for the audit trail)."""
    with transaction.atomic():
        scheme = Scheme.objects.select_for_update().select_related("family").get(pk=scheme_id)
        if scheme.status != SchemeStatus.DRAFT:
            raise Conflict(
                _("A published version cannot change; edit a new draft."), code="published"
            )
        changed = apply(scheme)
        scheme_validate(scheme=scheme)  # DomainError → the whole edit is rolled back
        audit_record(
            code="evaluation.scheme.edited", target=scheme, actor=actor, summary=str(scheme),
            data={"part": part, "changed": changed},
        )  # fmt: skip
    return scheme
