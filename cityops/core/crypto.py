"""Personal data encrypted at rest, blind indexes for exact lookups, and display masks.

Reporter names and phone numbers (issue 3, "Reporter privacy") are stored as Fernet tokens.
``settings.FIELD_ENCRYPTION_KEYS`` holds arbitrary secret strings; each becomes a Fernet key
through SHA-256, so any configured secret works. The first key encrypts and every key
decrypts: rotate by prepending a new key, re-saving rows at leisure, then dropping the old key.

An encrypted column cannot be searched, ordered or compared by value in SQL (every token is
randomised). For "cases reported by this phone number" store a :func:`blind_index` of the
value in a second, indexed column and filter on that.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import unicodedata
from collections.abc import Sequence
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed
from django.db import models
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models.expressions import Expression


class DecryptionError(ValueError):
    """A stored value cannot be decrypted with any configured key (wrong or missing key)."""


def _keys() -> tuple[str, ...]:
    keys = tuple(str(k) for k in getattr(settings, "FIELD_ENCRYPTION_KEYS", ()) if str(k))
    if not keys:
        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEYS is empty: personal data cannot be stored")
    return keys


def _fernet_key(secret: str) -> bytes:
    return base64.urlsafe_b64encode(hashlib.sha256(secret.encode("utf-8")).digest())


@lru_cache(maxsize=8)
def _fernet_for(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(_fernet_key(k)) for k in keys])


def _fernet() -> MultiFernet:
    return _fernet_for(_keys())


def _clear_cache(*, setting: str, **kwargs: Any) -> None:
    if setting == "FIELD_ENCRYPTION_KEYS":
        _fernet_for.cache_clear()


setting_changed.connect(_clear_cache)


def encrypt_str(value: str) -> str:
    return _fernet().encrypt(value.encode("utf-8")).decode("ascii")


def decrypt_str(token: str) -> str:
    try:
        return _fernet().decrypt(token.encode("ascii")).decode("utf-8")
    except (InvalidToken, UnicodeEncodeError) as exc:
        raise DecryptionError(
            "encrypted value cannot be decrypted with the configured FIELD_ENCRYPTION_KEYS "
            "(wrong key, key removed too early, or the column was written without encryption)"
        ) from exc


def reencrypt_str(token: str) -> str:
    """Re-encrypt a token under the first (newest) key, for key rotation jobs."""
    return _fernet().rotate(token.encode("ascii")).decode("ascii")


if TYPE_CHECKING:
    _TextField = models.TextField[str, str]
else:
    _TextField = models.TextField


class EncryptedTextField(_TextField):
    """A text field stored as a Fernet token. The Python value is ``str`` (``""`` allowed).

    Not searchable or orderable by value: use :func:`blind_index` for exact-match lookups.
    ``NULL`` stays ``NULL`` when the field is nullable; ``""`` is encrypted like any value so
    the column never reveals which rows are empty.
    """

    description = "Text encrypted at rest (Fernet)"

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value is None:
            return None
        return encrypt_str(str(value))

    def from_db_value(
        self, value: str | None, expression: Expression, connection: BaseDatabaseWrapper
    ) -> str | None:
        if value is None:
            return None
        return decrypt_str(value)

    def get_lookup(self, lookup_name: str) -> Any:
        # Equality on ciphertext would silently never match; say so instead.
        if lookup_name not in ("isnull",):
            raise NotImplementedError(
                f"EncryptedTextField does not support the {lookup_name!r} lookup: "
                "filter on a blind_index column instead"
            )
        return super().get_lookup(lookup_name)


def normalise_for_index(value: str) -> str:
    """NFKC, trimmed, case-folded; phone-like values keep only digits (and drop +86)."""
    text = unicodedata.normalize("NFKC", value).strip().casefold()
    digits = re.sub(r"[\s\-().]", "", text)
    if re.fullmatch(r"\+?\d+", digits):
        digits = digits.lstrip("+")
        if digits.startswith("86") and len(digits) == 13:
            digits = digits[2:]
        return digits
    return re.sub(r"\s+", " ", text)


def blind_index(value: str, *, purpose: str, keys: Sequence[str] | None = None) -> str:
    """Keyed HMAC-SHA256 (hex) of the normalised value, for exact-match lookups.

    The key derives from the first encryption key and ``purpose`` so that indexes of different
    fields ("reporter_phone", "staff_mobile") cannot be correlated. Rotating the first key
    changes every index: recompute the index columns in the same rotation job.
    """
    if not purpose:
        raise ValueError("blind_index needs a purpose")
    first = (tuple(keys) if keys is not None else _keys())[0]
    key = hmac.new(first.encode("utf-8"), b"cityops-blind-index:" + purpose.encode(), "sha256")
    return hmac.new(key.digest(), normalise_for_index(value).encode("utf-8"), "sha256").hexdigest()


def mask_phone(value: str) -> str:
    """``13812345678`` → ``138****5678``; other numbers keep at most 2–5 digits."""
    text = value.strip()
    if not text:
        return ""
    digits = re.sub(r"\D", "", text)
    if len(digits) == 13 and digits.startswith("86"):
        digits = digits[2:]
    if len(digits) == 11 and digits.startswith("1"):
        return f"{digits[:3]}****{digits[-4:]}"
    if len(digits) >= 10:
        # Landlines with area code such as 0475-8212345: keep the area prefix and last 2.
        return digits[:3] + "*" * (len(digits) - 5) + digits[-2:]
    if len(digits) >= 7:
        return "*" * (len(digits) - 2) + digits[-2:]
    if len(digits) >= 3:
        return "*" * (len(digits) - 1) + digits[-1]
    return "*" * max(len(digits), 1)


def _mask_word(word: str) -> str:
    if len(word) == 1:
        return "*"
    return word[:1] + "*" * (len(word) - 1)


def mask_name(value: str) -> str:
    """``张三`` → ``张*``, ``欧阳娜娜`` → ``欧***``, ``John Smith`` → ``J*** S****``."""
    text = value.strip()
    if not text:
        return ""
    parts = text.split()
    if len(parts) > 1:
        return " ".join(_mask_word(p) for p in parts)
    return _mask_word(text)
