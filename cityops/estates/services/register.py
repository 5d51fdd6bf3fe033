"""Owner register import (业主名册): CSV rows → units and owners, all or nothing."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cityops.core.audit import audit_record
from cityops.core.errors import DomainError
from cityops.estates.models import Owner, Unit
from cityops.estates.models.register import person_key
from cityops.registry.models import Compound

COLUMNS = (
    "building",
    "entrance",
    "room",
    "area",
    "owner_key",
    "owner_name",
    "co_owners",
    "phone",
    "id_number",
    "developer_held",
)
REQUIRED_COLUMNS = ("building", "room", "area", "owner_key", "owner_name")
DEVELOPER_KEY = "DEVELOPER"
TRUE = {"1", "true", "yes", "y", "是"}
FALSE = {"", "0", "false", "no", "n", "否"}


@dataclass(frozen=True)
class RowError:
    row: int  # 1-based line number in the file, header = 1
    column: str
    message: str

    def __str__(self) -> str:
        return _("row %(row)s, %(column)s: %(message)s") % {
            "row": self.row,
            "column": self.column,
            "message": self.message,
        }


class ImportFailed(DomainError):
    """The file has errors; nothing was written."""

    def __init__(self, errors: list[RowError]) -> None:
        super().__init__(_("%(count)s error(s) in the file") % {"count": len(errors)})
        self.errors = errors


@dataclass(frozen=True)
class OwnerRow:
    building: str
    entrance: str
    room: str
    area: Decimal
    owner_key: str
    owner_name: str
    co_owners: str
    phone: str
    id_number: str
    developer_held: bool


@dataclass
class ImportSummary:
    units_created: int = 0
    units_updated: int = 0
    owners_created: int = 0
    owners_updated: int = 0
    owner_count: int = 0
    total_area: Decimal = field(default_factory=Decimal)


def read_csv(data: bytes) -> list[dict[str, str]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportFailed([RowError(1, "-", _("The file is not UTF-8 text."))]) from exc
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip() for h in reader.fieldnames or []]
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        raise ImportFailed([RowError(1, c, _("required column is missing")) for c in missing])
    return [{(k or "").strip(): (v or "").strip() for k, v in row.items()} for row in reader]


def parse_owner_rows(rows: Iterable[Mapping[str, str]]) -> tuple[list[OwnerRow], list[RowError]]:
    parsed: list[OwnerRow] = []
    errors: list[RowError] = []
    addresses: dict[tuple[str, str, str], int] = {}
    names: dict[str, tuple[str, int]] = {}
    for line, raw in enumerate(rows, start=2):
        row_errors: list[RowError] = []

        def get(col: str, raw: Mapping[str, str] = raw) -> str:
            return (raw.get(col) or "").strip()

        building, entrance, room = get("building"), get("entrance"), get("room")
        for col, value, limit in (("building", building, 20), ("room", room, 20)):
            if not value:
                row_errors.append(RowError(line, col, _("required")))
            elif len(value) > limit:
                row_errors.append(RowError(line, col, _("too long")))
        if len(entrance) > 10:
            row_errors.append(RowError(line, "entrance", _("too long")))
        try:
            area = Decimal(get("area"))
            if not area.is_finite() or area <= 0 or area != area.quantize(Decimal("0.01")):
                raise InvalidOperation
            if area >= Decimal("100000000"):
                raise InvalidOperation
        except InvalidOperation:
            area = Decimal(0)
            row_errors.append(
                RowError(line, "area", _("a positive area in m² with at most 2 decimals"))
            )
        flag = get("developer_held").casefold()
        if flag not in TRUE | FALSE:
            row_errors.append(RowError(line, "developer_held", _("use 1 or 0")))
        developer = flag in TRUE
        key, name = get("owner_key"), get("owner_name")
        if developer:
            key = DEVELOPER_KEY
            name = name or str(_("Developer"))
        else:
            if not key:
                row_errors.append(RowError(line, "owner_key", _("required")))
            elif len(key) > 40 or key == DEVELOPER_KEY:
                row_errors.append(RowError(line, "owner_key", _("invalid owner reference")))
            if not name:
                row_errors.append(RowError(line, "owner_name", _("required")))
        address = (building, entrance, room)
        if address in addresses:
            row_errors.append(
                RowError(line, "room", _("same unit as row %(row)s") % {"row": addresses[address]})
            )
        else:
            addresses[address] = line
        if key and name and not developer:
            seen = names.setdefault(key, (name, line))
            if seen[0] != name:
                row_errors.append(
                    RowError(
                        line,
                        "owner_name",
                        _("owner %(key)s is named differently in row %(row)s")
                        % {"key": key, "row": seen[1]},
                    )
                )
        if row_errors:
            errors.extend(row_errors)
            continue
        parsed.append(
            OwnerRow(
                building=building,
                entrance=entrance,
                room=room,
                area=area,
                owner_key=key,
                owner_name=name,
                co_owners=get("co_owners"),
                phone=get("phone"),
                id_number=get("id_number"),
                developer_held=developer,
            )
        )
    if not parsed and not errors:
        errors.append(RowError(1, "-", _("the file has no rows")))
    return parsed, errors


def owners_import(
    *, compound: Compound, rows: Iterable[Mapping[str, str]], actor: Any = None
) -> ImportSummary:
    """Create or update the compound's units and owners from rows; refuses the whole file on
    any row error. Units are matched by building/entrance/room, owners by their reference."""
    parsed, errors = parse_owner_rows(rows)
    if errors:
        raise ImportFailed(errors)
    summary = ImportSummary()
    with transaction.atomic():
        owners = {o.key: o for o in Owner.objects.select_for_update().filter(compound=compound)}
        units = {
            (u.building, u.entrance, u.room): u
            for u in Unit.objects.select_for_update().filter(compound=compound)
        }
        wanted: dict[str, OwnerRow] = {}
        for row in parsed:
            wanted.setdefault(row.owner_key, row)
        new_owners: list[Owner] = []
        for key, row in wanted.items():
            owner = owners.get(key)
            if owner is None:
                owner = Owner(compound=compound, key=key, is_developer=row.developer_held)
                new_owners.append(owner)
            elif owner.left_at is not None or (
                owner.name,
                owner.co_owners,
                owner.phone,
                owner.id_number,
            ) != (
                row.owner_name,
                row.co_owners,
                row.phone,
                row.id_number,
            ):
                summary.owners_updated += 1
            else:
                continue
            owner.name = row.owner_name
            owner.co_owners = row.co_owners
            owner.phone = row.phone
            owner.set_id_number(row.id_number)
            owner.left_at = None  # a returning owner is on the register again
            if owner.pk:
                owner.save(
                    update_fields=[
                        "left_at",
                        "name",
                        "co_owners",
                        "phone",
                        "id_number",
                        "id_index",
                        "updated_at",
                    ]
                )
        Owner.objects.bulk_create(new_owners)
        summary.owners_created = len(new_owners)
        owners.update({o.key: o for o in new_owners})
        new_units: list[Unit] = []
        changed_units: list[Unit] = []
        for row in parsed:
            owner = owners[row.owner_key]
            unit = units.get((row.building, row.entrance, row.room))
            if unit is None:
                new_units.append(
                    Unit(
                        compound=compound,
                        building=row.building,
                        entrance=row.entrance,
                        room=row.room,
                        area=row.area,
                        owner=owner,
                        developer_held=row.developer_held,
                    )
                )
            elif (unit.area, unit.owner_id, unit.developer_held) != (
                row.area,
                owner.pk,
                row.developer_held,
            ):
                unit.area, unit.owner, unit.developer_held = row.area, owner, row.developer_held
                changed_units.append(unit)
        Unit.objects.bulk_create(new_units, batch_size=500)
        Unit.objects.bulk_update(changed_units, ["area", "owner", "developer_held"], batch_size=500)
        summary.units_created, summary.units_updated = len(new_units), len(changed_units)
        for gone in Owner.objects.filter(
            compound=compound, units__isnull=True, is_developer=False, left_at__isnull=True
        ):
            owner_leave(owner=gone, actor=actor)
        summary.owner_count = len(
            {
                person_key(pk, index)
                for pk, index in Owner.objects.filter(compound=compound, units__isnull=False)
                .values_list("pk", "id_index")
                .distinct()
            }
        )
        summary.total_area = sum(
            (u.area for u in Unit.objects.filter(compound=compound)), Decimal(0)
        )
        audit_record(
            code="estates.register.imported",
            target=compound,
            actor=actor,
            summary=f"{compound.code}: +{summary.units_created} units",
            data={
                "units_created": summary.units_created,
                "units_updated": summary.units_updated,
                "owners_created": summary.owners_created,
                "owners_updated": summary.owners_updated,
            },
        )
    return summary


LEFT_OWNER_NAME = "已注销业主"


def owner_leave(*, owner: Owner, actor: Any = None) -> Owner:
    """An owner who holds no unit any more leaves the register (PIPL: personal data is kept
    only as long as needed): name → a placeholder, phone, ID number and its blind index,
    co-owners and the account link erased. The row stays, so ballots already cast (which
    reference it) keep counting. Audited (``estates.owner.left``)."""
    with transaction.atomic():
        owner = Owner.objects.select_for_update().get(pk=owner.pk)
        if owner.left_at is not None:
            return owner
        if owner.is_developer:
            raise DomainError(_("The developer's row cannot leave the register."))
        if owner.units.exists():
            raise DomainError(_("The owner still holds units: reassign them first."))
        owner.name, owner.co_owners, owner.phone, owner.user = LEFT_OWNER_NAME, "", "", None
        owner.set_id_number("")
        owner.left_at = timezone.now()
        owner.save(
            update_fields=[
                "name", "co_owners", "phone", "id_number", "id_index", "user", "left_at",
                "updated_at",
            ]
        )  # fmt: skip
        audit_record(
            code="estates.owner.left",
            target=owner,
            actor=actor,
            summary=f"{owner.compound_id}/{owner.key}",
            data={"compound_id": owner.compound_id, "key": owner.key},
        )
    return owner


def owner_link_user(*, owner: Owner, user: Any, actor: Any = None) -> Owner:
    """Let an owner sign in: link the register row to a user account with the resident role."""
    from cityops.accounts.models import Membership, Role

    with transaction.atomic():
        owner = Owner.objects.select_for_update().get(pk=owner.pk)
        if owner.is_developer:
            raise DomainError(_("The developer's row cannot be linked to a resident account."))
        owner.user = user
        owner.save(update_fields=["user", "updated_at"])
        Membership.objects.get_or_create(
            user=user, role=Role.RESIDENT, organisation=None, street=None, community=None
        )
        audit_record(
            code="estates.owner.linked",
            target=owner,
            actor=actor,
            data={"user": user.pk},
        )
    return owner
