"""Sign-in security: throttling (django-axes) and password hashing (argon2)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.conf import settings
from django.contrib.auth.hashers import Argon2PasswordHasher, make_password
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from cityops.accounts.models import User
from config.settings import base
from conftest import PASSWORD

LIMIT = settings.AXES_FAILURE_LIMIT


def sign_in(client: Client, username: str, password: str, ip: str = "10.0.0.1") -> Any:
    return client.post(
        reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=ip
    )


def test_failure_limit_comes_from_the_environment_default() -> None:
    assert LIMIT == 5
    assert settings.AXES_LOCKOUT_PARAMETERS == [["username", "ip_address"]]


def test_correct_password_is_refused_after_the_failure_limit(personas: Any) -> None:
    client = Client()
    for attempt in range(1, LIMIT + 1):
        response = sign_in(client, "dispatcher", "wrong-password")
        # The attempt that reaches the limit is already answered with the locked-out page.
        assert response.status_code == (429 if attempt == LIMIT else 200), attempt
    locked = sign_in(client, "dispatcher", PASSWORD)
    assert locked.status_code == 429
    assert "登录失败次数过多" in locked.content.decode()
    assert "_auth_user_id" not in client.session
    # The lock lives in the database, not in the browser: a fresh client is refused too.
    assert sign_in(Client(), "dispatcher", PASSWORD).status_code == 429


def test_locked_out_page_speaks_english_too(personas: Any) -> None:
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    for _ in range(LIMIT):
        sign_in(client, "dispatcher", "wrong-password")
    page = sign_in(client, "dispatcher", PASSWORD).content.decode()
    assert "Too many failed sign-ins" in page
    assert "登录失败次数过多" not in page


def test_lock_is_per_username_and_address(personas: Any) -> None:
    for _ in range(LIMIT):
        sign_in(Client(), "dispatcher", "wrong-password", ip="10.0.0.1")
    assert sign_in(Client(), "dispatcher", PASSWORD, ip="10.0.0.1").status_code == 429
    # Same person from another address, another person from the same address: not locked.
    assert sign_in(Client(), "dispatcher", PASSWORD, ip="10.0.0.2").status_code == 302
    assert sign_in(Client(), "inspector", PASSWORD, ip="10.0.0.1").status_code == 302


def test_success_before_the_limit_resets_the_count(personas: Any) -> None:
    for _ in range(LIMIT - 1):
        sign_in(Client(), "dispatcher", "wrong-password")
    assert sign_in(Client(), "dispatcher", PASSWORD).status_code == 302
    for _ in range(LIMIT - 1):
        assert sign_in(Client(), "dispatcher", "wrong-password").status_code == 200
    assert sign_in(Client(), "dispatcher", PASSWORD).status_code == 302


def _lock_dispatcher() -> dt.datetime:
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        for _ in range(LIMIT):
            sign_in(Client(), "dispatcher", "wrong-password")
        assert sign_in(Client(), "dispatcher", PASSWORD).status_code == 429
    return start


COOLOFF = dt.timedelta(hours=settings.AXES_COOLOFF_TIME)
MINUTE = dt.timedelta(minutes=1)


def test_lock_expires_after_the_cool_off(personas: Any) -> None:
    start = _lock_dispatcher()
    with time_machine.travel(start + COOLOFF + MINUTE, tick=False):
        assert sign_in(Client(), "dispatcher", PASSWORD).status_code == 302


def test_trying_while_locked_restarts_the_cool_off(personas: Any) -> None:
    start = _lock_dispatcher()
    with time_machine.travel(start + COOLOFF - MINUTE, tick=False):
        assert sign_in(Client(), "dispatcher", PASSWORD).status_code == 429
    with time_machine.travel(start + COOLOFF + MINUTE, tick=False):
        assert sign_in(Client(), "dispatcher", PASSWORD).status_code == 429
    with time_machine.travel(start + 3 * COOLOFF, tick=False):
        assert sign_in(Client(), "dispatcher", PASSWORD).status_code == 302


def test_admin_login_is_throttled_too(personas: Any) -> None:
    client = Client()
    for _ in range(LIMIT):
        client.post(reverse("admin:login"), {"username": "admin", "password": "wrong-password"})
    response = client.post(reverse("admin:login"), {"username": "admin", "password": PASSWORD})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_argon2_is_the_first_hasher_in_base_settings() -> None:
    assert base.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    hasher = Argon2PasswordHasher()
    encoded = hasher.encode("correct horse battery", hasher.salt())
    assert encoded.startswith("argon2$argon2id$")
    assert hasher.verify("correct horse battery", encoded)
    assert not hasher.verify("correct horse batteries", encoded)


@override_settings(PASSWORD_HASHERS=base.PASSWORD_HASHERS)
@pytest.mark.django_db
def test_older_hashes_are_upgraded_to_argon2_on_sign_in() -> None:
    user = User.objects.create(
        username="legacy", password=make_password("legacy-pass-123", hasher="pbkdf2_sha256")
    )
    assert user.password.startswith("pbkdf2_sha256$")
    assert user.check_password("legacy-pass-123")
    user.refresh_from_db()
    assert user.password.startswith("argon2$")
