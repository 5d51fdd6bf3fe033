"""Browser tests here use the shared fixtures of cityops.core.testing_browser."""

from typing import Any

import pytest


@pytest.fixture(autouse=True)
def _vendor(vendor_assets: Any) -> None:
    """Serve the vendored front-end libraries in the live server, as the site does."""
