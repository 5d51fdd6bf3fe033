"""Production static files: collectstatic with the manifest storage, then pages with DEBUG off."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client, override_settings

# The test settings keep their var/ apart (var/test); the vendored bundles are the project's.
VENDOR_DIR = Path(settings.BASE_DIR) / "var" / "vendor"
PRODUCTION_STORAGES = {
    **settings.STORAGES,
    "staticfiles": {"BACKEND": "cityops.core.staticfiles.ManifestStorage"},
}


@pytest.mark.django_db
def test_collectstatic_with_the_manifest_and_main_pages_render(
    tmp_path: Path, client: Client, personas: object
) -> None:
    if not (VENDOR_DIR / "leaflet" / "leaflet.js").is_file():
        pytest.skip("front-end bundles not installed (make assets)")
    dirs = [Path(settings.BASE_DIR) / "static", ("vendor", VENDOR_DIR)]
    with override_settings(
        STATIC_ROOT=tmp_path, STATICFILES_DIRS=dirs, STORAGES=PRODUCTION_STORAGES, DEBUG=False
    ):
        call_command("collectstatic", interactive=False, verbosity=0, stdout=StringIO())
        manifest = json.loads((tmp_path / "staticfiles.json").read_text())["paths"]
        leaflet = manifest["vendor/leaflet/leaflet.js"]
        assert leaflet != "vendor/leaflet/leaflet.js"  # hashed
        assert (tmp_path / leaflet).is_file()
        assert (tmp_path / (leaflet + ".gz")).is_file()  # compressed copies for whitenoise
        pages = ["/", "/report/", "/track/", "/public/", "/accounts/login/", "/admin/login/"]
        for url in pages:
            response = client.get(url)
            assert response.status_code == 200, url
            assert b"/static/vendor/leaflet/leaflet." in response.content or url != "/public/"
        client.force_login(personas.dispatcher)  # type: ignore[attr-defined]
        for url in ["/console/", "/console/cases/", "/console/cases/map/"]:
            response = client.get(url)
            assert response.status_code == 200, url
            assert "/static/" in response.content.decode()


def test_production_settings_pass_the_deploy_check(tmp_path: Path) -> None:
    """Production is base.py with CITYOPS_DEBUG=0: HTTPS redirect, HSTS, secure cookies."""
    import os
    import subprocess
    import sys

    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("CITYOPS_", "DJANGO_")) and k != "DATABASE_URL"
    }
    env.update(
        CITYOPS_DEBUG="0",
        CITYOPS_SECRET_KEY="x" * 20 + "production-check-0123456789-abcdefghijklmnop",
        CITYOPS_FIELD_ENCRYPTION_KEYS="production-check-key",
        CITYOPS_VAR_DIR=str(tmp_path),
        CITYOPS_ALLOWED_HOSTS="ops.example.cn",
        CITYOPS_REDIS_URL="redis://127.0.0.1:6379/0",
        DATABASE_URL=f"sqlite:///{tmp_path}/db.sqlite3",
        DJANGO_SETTINGS_MODULE="config.settings.base",
    )
    code = (
        "import django, sys; django.setup(); from django.conf import settings as s; "
        "print(s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS, s.SESSION_COOKIE_SECURE, "
        "s.STORAGES['staticfiles']['BACKEND']); "
        "from django.core.management import call_command; "
        "call_command('check', deploy=True, fail_level='WARNING')"
    )
    result = subprocess.run(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", code],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0] == (
        "True 31536000 True cityops.core.staticfiles.ManifestStorage"
    )
