"""Writes of the Open311 interface: a POSTed service request with uploaded media becomes a case
in the request via ``case_report``; every other POST goes through the intake queue
(``cityops.open311.intake``), whose drain files it with ``case_report_many``.

Nothing here re-implements intake: validation of the category, place, answers, reporter data
and photos, routing and idempotency all live in ``cityops.cases.services.case_report``.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from cityops.cases.models import Case, Category, Source
from cityops.cases.services import case_report
from cityops.core.ormfast import insert_one
from cityops.open311.models import ApiKey, Open311Request
from cityops.registry.models import Component


@dataclass(frozen=True)
class Contact:
    first_name: str = ""
    last_name: str = ""
    phone: str = ""
    email: str = ""
    device_id: str = ""
    account_id: str = ""


def _has_cjk(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def reporter_name(contact: Contact) -> str:
    first, last = contact.first_name.strip(), contact.last_name.strip()
    if _has_cjk(first + last):
        return f"{last}{first}"  # Chinese order: family name first, no space
    return " ".join(part for part in (first, last) if part)


def retry_key(*, device_id: str, fields: Mapping[str, Any]) -> str:
    """A client retry of the same POST from the same device maps to the same key."""
    canonical = json.dumps(fields, sort_keys=True, ensure_ascii=False, default=str)
    return "dev:" + hashlib.sha256(f"{device_id}\n{canonical}".encode()).hexdigest()[:60]


def request_by_key(api_key: ApiKey, key: str) -> Open311Request | None:
    """The request this key already sent with this idempotency key (queued or filed)."""
    return Open311Request.objects.filter(api_key=api_key, idempotency_key=key).first()


def open311_request_submit(
    *,
    api_key: ApiKey,
    category: Category,
    lon: float,
    lat: float,
    address: str,
    description: str,
    answers: Mapping[str, Any],
    contact: Contact,
    media_url: str = "",
    media: Sequence[Any] = (),
    idempotency_key: str = "",
    component: Component | None = None,
) -> Open311Request:
    """Create the case (or find the one a retry already created) and its Open311 record:
    for a request with uploaded media, which the queue does not keep.

    The record is written inside the report's own transaction (``attach``): no enclosing
    transaction here, so that intake takes the case number without holding the day's counter
    row until commit (see ``cityops.cases.services.intake.reserve_early``).
    """
    key = idempotency_key.strip()[:100]
    if key and (found := request_by_key(api_key, key)) is not None:
        return found  # a retry of a request already received (queued or filed)
    created: list[Open311Request] = []

    def attach(case: Case) -> None:
        record = Open311Request(
            case=case,
            api_key=api_key,
            token=secrets.token_urlsafe(18),
            number=case.number,  # the service_request_id, as a queued request's
            idempotency_key=key,
            email=contact.email,
            device_id=contact.device_id,
            account_id=contact.account_id,
            media_url=media_url[:500],
        )
        insert_one(record)  # INSERT compiled once (cityops/core/audit.py)
        created.append(record)

    case: Case = case_report(
        source=Source.PUBLIC,
        category=category,
        lon=lon,
        lat=lat,
        address=address,
        description=description,
        answers=answers,
        reporter_name=reporter_name(contact),
        reporter_phone=contact.phone,
        photos=media,
        idempotency_key=key,
        client=f"open311:{api_key.pk}",
        component=component,
        attach=attach,
    )
    if created:
        return created[0]
    # An idempotent retry: the first call committed its record with the case.
    return Open311Request.objects.get(case=case)
