"""Pure validators for codes used in the registry (no ORM)."""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

# GB 32100-2015 unified social credit code: 18 characters from this alphabet (no I, O, S, V, Z).
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
# re.ASCII: without it ``\d`` also matches full-width and Arabic-Indic digits, which are not in
# the GB 32100 alphabet (the check-character arithmetic would then crash on them).
_USCC_RE = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}$", re.ASCII)


class CodeError(ValueError):
    """A code is malformed; the message says what is wrong in the user's language."""


def uscc_check_character(first17: str) -> str:
    total = sum(USCC_ALPHABET.index(ch) * w for ch, w in zip(first17, USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def validate_uscc(code: str) -> str:
    """Return the normalised (upper-case) code or raise CodeError."""
    value = (code or "").strip().upper()
    if len(value) != 18:
        raise CodeError(
            _("A unified social credit code has 18 characters; this one has %(n)d.")
            % {"n": len(value)}
        )
    if not _USCC_RE.match(value):
        raise CodeError(
            _(
                "The unified social credit code contains characters that are not allowed "
                "(digits and capital letters except I, O, S, V, Z; positions 3–8 are digits)."
            )
        )
    expected = uscc_check_character(value[:17])
    if value[17] != expected:
        raise CodeError(
            _(
                "The check character of the unified social credit code is wrong "
                "(expected %(expected)s, found %(found)s)."
            )
            % {"expected": expected, "found": value[17]}
        )
    return value


def _digits(code: str, n: int, what: str) -> str:
    value = (code or "").strip()
    # str.isdigit() accepts any Unicode digit (全角 "１", Arabic-Indic "١"): codes are ASCII only.
    if not (len(value) == n and value.isascii() and value.isdigit()):
        raise CodeError(
            _("A %(what)s code has exactly %(n)d digits; got %(value)r.")
            % {"what": what, "n": n, "value": value}
        )
    return value


def validate_admin_code(code: str) -> str:
    """6-digit administrative division code (GB/T 2260)."""
    return _digits(code, 6, _("district"))


def validate_child_code(code: str, *, parent_code: str, length: int, what: str) -> str:
    """Street (9), community (12) and grid (15) codes extend their parent's code by 3 digits."""
    value = _digits(code, length, what)
    if not value.startswith(parent_code):
        raise CodeError(
            _("The %(what)s code %(code)s must start with its parent's code %(parent)s.")
            % {"what": what, "code": value, "parent": parent_code}
        )
    if value[len(parent_code) :] == "000":
        raise CodeError(
            _("The last three digits of a %(what)s code cannot be 000.") % {"what": what}
        )
    return value


def validate_grid_code(code: str, *, community_code: str) -> str:
    """15 digits = 6 admin + 3 street + 3 community + 3 sequence (万米单元网格)."""
    return validate_child_code(code, parent_code=community_code, length=15, what=_("grid"))


def validate_component_code(code: str, *, admin_code: str, major: str, minor: str) -> str:
    """16 digits = 6 admin + 2 major class + 2 minor class + 6 serial (部件)."""
    value = _digits(code, 16, _("component"))
    prefix = f"{admin_code}{major}{minor}"
    if not value.startswith(prefix):
        raise CodeError(
            _(
                "The component code %(code)s must start with %(prefix)s "
                "(administrative code, major class, minor class)."
            )
            % {"code": value, "prefix": prefix}
        )
    return value
