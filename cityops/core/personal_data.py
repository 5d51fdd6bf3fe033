"""A person's data on request (PIPL art. 45): every record found through the registered blind
indexes (``core.keyrotation.blind_index_register``: cases by reporter phone, estates owners and
staff by ID number, contact points by mobile), with their personal fields decrypted.

One place answers "where is this person?": an app that keeps a new kind of personal record
registers its blind index and is exported too. Each export is audited
(``personal_data.exported``, with the purpose and the counts, never the values looked up).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.apps import apps
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cityops.core.audit import audit_record
from cityops.core.crypto import blind_index
from cityops.core.errors import DomainError
from cityops.core.keyrotation import registered_blind_indexes


def _record(row: models.Model, skip: set[str]) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for field in row._meta.concrete_fields:
        if field.attname in skip:
            continue
        value = getattr(row, field.attname)
        if isinstance(value, dt.datetime | dt.date):
            value = value.isoformat()
        elif not isinstance(value, str | int | float | bool | type(None) | list | dict):
            value = str(value)
        data[field.attname] = value
    return data


def personal_data_export(*, values: list[str], purpose: str, actor: Any = None) -> dict[str, Any]:
    """The records of the person identified by ``values`` (phone numbers, ID numbers), by
    model label; audited with ``purpose`` (required: why the export was made)."""
    purpose = purpose.strip()
    values = [v for v in (v.strip() for v in values) if v]
    if not purpose:
        raise DomainError(_("Give the purpose of the export."), field="purpose")
    if not values:
        raise DomainError(_("Give a phone number or an ID number."))
    records: dict[str, list[dict[str, Any]]] = {}
    for index in registered_blind_indexes():
        model = apps.get_model(index.model)
        digests = [blind_index(v, purpose=index.purpose) for v in values]
        skip = {i.index for i in registered_blind_indexes() if i.model == index.model}
        seen = {r["id"] for r in records.get(model._meta.label, [])}
        for row in model._default_manager.filter(**{f"{index.index}__in": digests}).order_by("pk"):
            if row.pk not in seen:
                records.setdefault(model._meta.label, []).append(_record(row, skip))
    with transaction.atomic():
        audit_record(
            code="personal_data.exported",
            actor=actor,
            summary=purpose,
            data={"purpose": purpose, "counts": {k: len(v) for k, v in records.items()}},
        )
    return {"exported_at": timezone.now().isoformat(), "purpose": purpose, "records": records}
