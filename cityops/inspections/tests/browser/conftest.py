"""The console's browser fixtures (Debian Chromium through Playwright), reused here."""

from cityops.console.tests.browser.conftest import (  # noqa: F401
    _vendor_assets,
    browser_contexts,
    chromium,
    shot,
)
