"""User-facing texts of the flags (why a person is blocked)."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from cityops.staffing.rules import EARLY_LEAVE_FORBIDDEN, PAY_CUT, RETIRES_FIRST

FLAG_LABELS: dict[str, Promise] = {
    PAY_CUT: _("pay cut without an approved reason"),
    EARLY_LEAVE_FORBIDDEN: _("internal early retirement not allowed by the retirement date"),
    RETIRES_FIRST: _("reaches the statutory retirement age before the batch date"),
}


def flag_labels(flags: Iterable[str]) -> list[str]:
    return [str(FLAG_LABELS.get(flag, flag)) for flag in flags]
