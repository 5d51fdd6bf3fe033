"""Test settings: the base settings with speed knobs only."""

import os
from typing import Any

os.environ.setdefault("CITYOPS_DEBUG", "1")
os.environ.setdefault("CITYOPS_SECRET_KEY", "test-only-secret-key-not-for-production-0123456789")
os.environ.setdefault("CITYOPS_FIELD_ENCRYPTION_KEYS", "test-only-field-key")
os.environ.setdefault("CITYOPS_VAR_DIR", os.path.join(os.path.dirname(__file__), "../../var/test"))

from .base import *  # noqa: F403
from .base import DATABASES

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
# Tasks run at once in tests: every Open311 POST drains the intake queue before it answers.
OPEN311_INTAKE_KICK_SECONDS = 0.0
# Tests run db_worker in their own process (call_command): it must not lower its priority.
CITYOPS_WORKER_NICE = 0
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CITYOPS_TILE_URL = ""
DEBUG = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # pytest-django uses an in-memory database for SQLite tests.
    DATABASES["default"]["TEST"] = {"NAME": ":memory:"}
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Django's backend with a DELETE flush for transactional tests (cityops/core/testing_pg),
    # and commits that do not wait for the WAL flush: the test database is thrown away.
    DATABASES["default"]["ENGINE"] = "cityops.core.testing_pg"
    _options: Any = DATABASES["default"].get("OPTIONS") or {}
    DATABASES["default"]["OPTIONS"] = {
        **_options,
        "options": f"{_options.get('options', '')} -c synchronous_commit=off".strip(),
    }
# The files of `make assets` (var/vendor), not the per-test var directory.
CITYOPS_PDF_FONT = BASE_DIR / "var/vendor/fonts/400Regular/NotoSansSC_400Regular.ttf"
