"""Encryption at rest, key rotation, blind indexes and masks (cityops.core.crypto)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import override_settings
from hypothesis import given
from hypothesis import strategies as st

from cityops.accounts.models import User
from cityops.core.crypto import (
    DecryptionError,
    blind_index,
    decrypt_str,
    encrypt_str,
    mask_name,
    mask_phone,
    reencrypt_str,
)
from cityops.notifications.models import ContactPoint

pytestmark = pytest.mark.django_db


def _raw_mobile(pk: int) -> str:
    table = ContactPoint._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT mobile FROM {table} WHERE id = %s", [pk])  # noqa: S608
        return str(cursor.fetchone()[0])


@pytest.fixture
def user() -> User:
    return User.objects.create_user(username="zhang", password="x-very-long-pass")


@pytest.mark.parametrize("value", ["13812345678", "", "张三 · +86 138-1234-5678 😀"])
def test_round_trip_through_the_database(user: User, value: str) -> None:
    contact = ContactPoint.objects.create(user=user, mobile=value)
    assert ContactPoint.objects.get(pk=contact.pk).mobile == value
    raw = _raw_mobile(contact.pk)
    assert raw != value
    assert raw.startswith("gAAAA")  # a Fernet token, even for ""
    if value:
        assert value not in raw
        assert "1381234" not in raw


def test_every_write_gives_a_different_token(user: User) -> None:
    assert encrypt_str("13812345678") != encrypt_str("13812345678")


def test_wrong_key_is_a_clear_error_not_garbage(user: User) -> None:
    contact = ContactPoint.objects.create(user=user, mobile="13812345678")
    with (
        override_settings(FIELD_ENCRYPTION_KEYS=["another-key"]),
        pytest.raises(DecryptionError, match="FIELD_ENCRYPTION_KEYS"),
    ):
        ContactPoint.objects.get(pk=contact.pk)


def test_key_rotation_old_rows_stay_readable_new_rows_use_new_key(user: User) -> None:
    with override_settings(FIELD_ENCRYPTION_KEYS=["old-key"]):
        contact = ContactPoint.objects.create(user=user, mobile="13812345678")
        old_token = _raw_mobile(contact.pk)
    with override_settings(FIELD_ENCRYPTION_KEYS=["new-key", "old-key"]):
        assert ContactPoint.objects.get(pk=contact.pk).mobile == "13812345678"
        rotated = reencrypt_str(old_token)
    with override_settings(FIELD_ENCRYPTION_KEYS=["new-key"]):
        assert decrypt_str(rotated) == "13812345678"
        with pytest.raises(DecryptionError):
            decrypt_str(old_token)


def test_encrypted_field_refuses_value_lookups(user: User) -> None:
    ContactPoint.objects.create(user=user, mobile="13812345678")
    with pytest.raises(NotImplementedError, match="blind_index"):
        ContactPoint.objects.filter(mobile="13812345678").count()
    assert ContactPoint.objects.filter(mobile__isnull=False).count() == 1


def test_field_deconstructs_for_migrations() -> None:
    field = ContactPoint._meta.get_field("mobile")
    _name, path, _args, kwargs = field.deconstruct()
    assert path == "cityops.core.crypto.EncryptedTextField"
    assert kwargs["default"] == ""


def test_blind_index_is_stable_normalised_and_key_dependent() -> None:
    a = blind_index("13812345678", purpose="reporter_phone")
    assert a == blind_index(" +86 138-1234-5678 ", purpose="reporter_phone")
    assert len(a) == 64
    assert a != blind_index("13812345679", purpose="reporter_phone")
    assert a != blind_index("13812345678", purpose="staff_mobile")
    with override_settings(FIELD_ENCRYPTION_KEYS=["another-key"]):
        assert a != blind_index("13812345678", purpose="reporter_phone")
    with pytest.raises(ValueError, match="purpose"):
        blind_index("x", purpose="")


def test_blind_index_finds_rows_without_decrypting(user: User) -> None:
    other = User.objects.create_user(username="li", password="x-very-long-pass")
    for u, phone in [(user, "13812345678"), (other, "13900000000")]:
        ContactPoint.objects.create(
            user=u, mobile=phone, mobile_index=blind_index(phone, purpose="staff_mobile")
        )
    wanted = blind_index("138 1234 5678", purpose="staff_mobile")
    assert list(
        ContactPoint.objects.filter(mobile_index=wanted).values_list("user", flat=True)
    ) == [user.pk]


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        ("13812345678", "138****5678"),
        ("+86 138-1234-5678", "138****5678"),
        ("0475-8212345", "047******45"),
        ("8212345", "*****45"),
        ("12345", "****5"),
        ("12", "**"),
        ("abc", "*"),
        ("", ""),
    ],
)
def test_mask_phone(value: str, masked: str) -> None:
    assert mask_phone(value) == masked


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        ("张三", "张*"),
        ("欧阳娜娜", "欧***"),
        ("John Smith", "J*** S****"),
        ("王", "*"),
        ("", ""),
    ],
)
def test_mask_name(value: str, masked: str) -> None:
    assert mask_name(value) == masked


@given(st.text(max_size=40))
def test_masks_always_hide_something(value: str) -> None:
    masked_phone, masked_name = mask_phone(value), mask_name(value)
    if not value.strip():
        assert masked_phone == masked_name == ""
        return
    assert "*" in masked_phone
    digits = "".join(ch for ch in value if ch.isdecimal() and ch.isascii())
    if len(digits) >= 3:
        assert digits not in masked_phone
    assert all(len(word.strip("*")) <= 1 for word in masked_name.split(" "))


@given(st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True))
def test_mobile_mask_keeps_prefix_and_last_four(phone: str) -> None:
    assert mask_phone(phone) == phone[:3] + "****" + phone[-4:]
