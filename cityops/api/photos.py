"""Adding evidence photos to a case outside a workflow action (REST ``cases/{number}/photos/``).

The case services validate and store photos (``photos_prepare`` / ``photos_store``: checked by
content, EXIF location kept on the staff-only original, stripped from the public copy); this
module decides who may add which kind, and writes the photos and the audit row atomically.

Rules (a mature product's defaults; the transition table stays the only writer of statuses):
- the case must be visible to the caller (else 404) and still open (else 400 naming ``case``);
- command centre and system administrators may add any kind;
- inspectors add ``before`` (what they found) and ``verify`` (the check on site) photos;
- operator staff add ``after`` photos, and only while the case is with their unit;
- read-only roles (mayor's office, supervisors, officers, residents) may not add photos (403).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from cityops.accounts.access import actor_for
from cityops.accounts.models import Role
from cityops.cases.access import access_case
from cityops.cases.models import TERMINAL_STATUSES, CasePhoto, PhotoKind
from cityops.cases.services.photos import photos_prepare, photos_store
from cityops.core.audit import audit_record
from cityops.core.errors import Conflict, DomainError, PermissionDenied

MAX_PHOTOS = 6  # per request; each file is bounded by CITYOPS_MAX_IMAGE_BYTES
_ANY_KIND = (Role.SYSTEM_ADMIN, Role.INTAKE_CLERK, Role.SHIFT_LEAD, Role.DISPATCHER)


def allowed_kinds(user: Any, case: Any) -> frozenset[str]:
    actor = actor_for(user)
    if actor.has_role(*_ANY_KIND):
        return frozenset(PhotoKind.values)
    kinds: set[str] = set()
    if actor.has_role(Role.INSPECTOR):
        kinds |= {PhotoKind.BEFORE, PhotoKind.VERIFY}
    if actor.has_role(Role.OPERATOR_STAFF) and case.assignee_id in actor.organisation_ids:
        kinds.add(PhotoKind.AFTER)
    return frozenset(kinds)


def case_photos_add(
    *, case_id: int, actor: Any, kind: str, files: Sequence[Any]
) -> list[CasePhoto]:
    """Validate every file first, then store them all and audit, in one transaction."""
    if kind not in PhotoKind.values:
        raise DomainError(
            _("kind: one of %(kinds)s.") % {"kinds": ", ".join(PhotoKind.values)}, field="kind"
        )
    if not files:
        raise DomainError(_("photos: send at least one image file."), field="photos")
    if len(files) > MAX_PHOTOS:
        raise DomainError(
            _("photos: at most %(n)d files per request.") % {"n": MAX_PHOTOS}, field="photos"
        )
    _check(access_case(case_id, actor), actor, kind)  # before spending CPU on the images
    try:
        processed = photos_prepare(files)  # checked by content, size and pixel limits
    except DomainError as exc:
        raise DomainError(f"photos: {exc.message}", code=exc.code, field="photos") from exc
    with transaction.atomic():
        case = access_case(case_id, actor, for_write=True)  # 404 out of scope; row locked
        _check(case, actor, kind)  # again under the lock: the case may have moved on
        stored = photos_store(case=case, kind=kind, processed=processed, event=None, actor=actor)
        audit_record(
            code="case.photos_added",
            target=case,
            actor=actor,
            summary=f"{case.number}: {len(stored)} × {kind}",
            data={"kind": kind, "photos": [p.pk for p in stored],
                  "sha256": [p.sha256 for p in stored]},
        )  # fmt: skip
    return stored


def _check(case: Any, actor: Any, kind: str) -> None:
    if kind not in allowed_kinds(actor, case):
        raise PermissionDenied(_("You may not add this kind of photo to this case."))
    if case.status in TERMINAL_STATUSES:
        raise Conflict(  # the case's state, not the request (409)
            _("case: the case is closed; photos can no longer be added."), field="case"
        )
