"""Plain data passed between the readers, the validating core and the writer (no ORM)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _


class FileFormatError(ValueError):
    """The file as a whole cannot be read (malformed JSON/CSV, wrong structure)."""


@dataclass(frozen=True)
class Record:
    """One input row: a GeoJSON feature (``number`` = 1-based feature index) or a CSV line
    (``number`` = the spreadsheet row, the header being row 1)."""

    number: int
    values: dict[str, Any]
    geometry: dict[str, Any] | None = None
    is_feature: bool = False

    def label(self) -> str:
        if self.is_feature:
            return _("feature %(n)d") % {"n": self.number}
        return _("row %(n)d") % {"n": self.number}


@dataclass(frozen=True)
class Issue:
    """One reason why a row is rejected: where, which field, why (translated)."""

    where: str
    field: str
    message: str

    def __str__(self) -> str:
        if self.field:
            return f"{self.where}, {self.field}: {self.message}"
        return f"{self.where}: {self.message}"


@dataclass
class Cleaned:
    """A validated row: its natural key, model field values (foreign keys as ``*_id`` pks)
    and many-to-many pk lists."""

    key: str
    values: dict[str, Any]
    m2m: dict[str, list[int]] = field(default_factory=dict)
    pk: int | None = None
