"""Fixtures of the cases tests: shared with the console tests in ``cityops.cases.testing``."""

from __future__ import annotations

import pytest

from cityops.cases.testing import EAST, WEST, jpeg

__all__ = ["EAST", "WEST", "jpeg"]


@pytest.fixture(autouse=True)
def _media_in_tmp(case_media_in_tmp: None) -> None:
    """Photos written by the tests go to a temporary folder, not var/."""
