"""Browser-test fixtures, a pytest plugin registered once in the root conftest.py: Playwright
driving Debian's Chromium (/usr/bin/chromium), never a downloaded browser.

Registered once on purpose: a session-scoped ``chromium`` fixture defined (or imported) in two
conftest files would start Playwright's sync loop twice in one thread, which it refuses.
Without Chromium the browser tests skip loudly; with CITYOPS_REQUIRE_BROWSER=1 (CI) they fail.
Directories with browser tests use ``vendor_assets`` (autouse in their conftest).
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings

CHROMIUM = Path(os.environ.get("CITYOPS_CHROMIUM", "/usr/bin/chromium"))
ARTIFACTS = Path(django_settings.BASE_DIR) / "test-artifacts"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def _unavailable(reason: str) -> None:
    message = f"BROWSER TESTS NOT RUN: {reason}"
    if os.environ.get("CITYOPS_REQUIRE_BROWSER") == "1":
        pytest.fail(message + " (CITYOPS_REQUIRE_BROWSER=1)", pytrace=False)
    # A warning as well as the skip: it shows in every summary, even without -rs.
    warnings.warn(message, UserWarning, stacklevel=2)
    pytest.skip(message + " — install it with: sudo apt-get install -y chromium")


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    if not CHROMIUM.exists():
        _unavailable(f"{CHROMIUM} is missing")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("the playwright package is not installed (pip install -e '.[dev]')")
    # Playwright's sync API runs an event loop in this thread; Django's ORM calls made by the
    # test itself (not by the live server) are still plain synchronous calls.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def vendor_assets(settings: Any) -> None:
    """Serve htmx/Leaflet from var/vendor (make assets) in the live server, as the site does."""
    vendor = Path(settings.BASE_DIR) / "var" / "vendor"
    if vendor.is_dir():
        settings.STATICFILES_DIRS = [*settings.STATICFILES_DIRS, ("vendor", vendor)]


@pytest.fixture
def browser_contexts(chromium: Any) -> Iterator[list[Any]]:
    """Contexts a test opens; closed at its end so no keep-alive request outlives the test."""
    opened: list[Any] = []
    yield opened
    for context in opened:
        context.close()


@pytest.fixture
def shot() -> Any:
    ARTIFACTS.mkdir(exist_ok=True)

    def take(page: Any, name: str) -> None:
        page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)

    return take
