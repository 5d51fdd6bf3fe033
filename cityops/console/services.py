"""Writes of the staff console: saved case-list filters and bulk dispatch.

Bulk dispatch adds no workflow rule of its own: each selected case goes through
``cases.services.case_transition`` in its own transaction (row lock, version check, guards,
event, audit), so one case failing never undoes or blocks another. The outcome of every case
is returned for the summary; nothing is raised for a single case's refusal.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from cityops.accounts.access import actor_for
from cityops.cases.access import cases_visible_to
from cityops.cases.services import case_transition
from cityops.cases.services.payloads import Dispatch
from cityops.console.models import SavedFilter
from cityops.core.audit import audit_record
from cityops.core.errors import DomainError, NotFound
from cityops.registry.models import Organisation

# Query-string keys a saved filter may keep (the list filter's fields; never "page").
FILTER_KEYS = (
    "q", "status", "category", "urgency", "source", "street", "community", "grid",
    "operator", "overdue", "open_only", "date_from", "date_to", "sort",
    "service", "figure", "period",
)  # fmt: skip
BULK_LIMIT = 200


def clean_query(query: str) -> str:
    """Only the filter's own, non-empty keys, in a stable order."""
    pairs = [(k, v) for k, v in parse_qsl(query, keep_blank_values=False) if k in FILTER_KEYS]
    pairs.sort(key=lambda kv: FILTER_KEYS.index(kv[0]))
    return urlencode(pairs)


def saved_filter_save(*, owner: Any, name: str, query: str, share: bool = False) -> SavedFilter:
    """Create the user's named filter, or replace the one of the same name (audited).

    Shared filters are seen by the owner's organisation; the command centre (staff without an
    organisation) shares with every city-wide colleague.
    """
    name = name.strip()
    if not name:
        raise DomainError(_("Give the filter a name."), field="name")
    orgs = sorted(actor_for(owner).organisation_ids)
    shared_with = Organisation.objects.filter(pk=orgs[0]).first() if share and orgs else None
    values = {"query": clean_query(query), "shared": share, "shared_with": shared_with}
    try:
        with transaction.atomic():
            row, created = SavedFilter.objects.update_or_create(
                owner=owner, name=name[:80], defaults=values
            )
            audit_record(
                code="console.saved_filter.created" if created else "console.saved_filter.changed",
                target=row,
                actor=owner,
                summary=row.name,
                data={"query": row.query, "shared": share},
            )
    except IntegrityError:  # two tabs saving the same name at once
        raise DomainError(_("A filter with this name already exists."), field="name") from None
    return row


def saved_filter_delete(*, filter_id: int, actor: Any) -> None:
    """Delete one of the actor's own filters (others' filters are "not found")."""
    with transaction.atomic():
        row = SavedFilter.objects.select_for_update().filter(pk=filter_id, owner=actor).first()
        if row is None:
            raise NotFound(_("Saved filter not found."))
        audit_record(code="console.saved_filter.deleted", target=row, actor=actor, summary=row.name)
        row.delete()


@dataclass(frozen=True)
class BulkOutcome:
    case_id: int
    number: str
    ok: bool
    message: str = ""
    code: str = ""


def parse_selection(values: list[str]) -> list[tuple[int, int | None]]:
    """Checkbox values "id" or "id:version" → (id, expected version); bad values are refused."""
    out: dict[int, int | None] = {}
    for value in values:
        head, _sep, tail = value.partition(":")
        try:
            case_id = int(head)
            version = int(tail) if tail else None
        except ValueError:
            raise DomainError(_("Invalid case selection."), field="cases") from None
        out[case_id] = version
    if not out:
        raise DomainError(_("Select at least one case."), field="cases")
    if len(out) > BULK_LIMIT:
        raise DomainError(
            _("Select at most %(n)d cases at a time.") % {"n": BULK_LIMIT}, field="cases"
        )
    return list(out.items())


def cases_dispatch_bulk(
    *, selection: list[tuple[int, int | None]], actor: Any, unit: Any = None, reason: str = ""
) -> list[BulkOutcome]:
    """Dispatch each selected case (routed unit, or ``unit``); one outcome per case."""
    numbers = dict(
        cases_visible_to(actor)
        .filter(pk__in=[case_id for case_id, _v in selection])
        .values_list("pk", "number")
    )
    outcomes = []
    for case_id, version in selection:
        number = numbers.get(case_id)
        if number is None:
            outcomes.append(
                BulkOutcome(case_id, str(case_id), False, _("Case not found."), "not_found")
            )
            continue
        try:
            case_transition(
                case_id=case_id,
                action="dispatch",
                actor=actor,
                payload=Dispatch(reason=reason, unit=unit),
                expected_version=version,
            )
        except DomainError as err:
            outcomes.append(BulkOutcome(case_id, number, False, str(err.message), err.code))
        else:
            outcomes.append(BulkOutcome(case_id, number, True))
    return outcomes
