from collections.abc import Iterator

import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    """Services' messages are matched in English (the source language); pages are checked in
    the default language by their own assertions."""
    with translation.override("en"):
        yield
