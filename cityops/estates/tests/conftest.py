from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from django.utils import translation

from cityops.accounts.models import User
from cityops.estates.models import Owner
from cityops.estates.testing import make_register, owner_user
from cityops.registry.models import Compound


@dataclass
class Register:
    compound: Compound
    owners: list[Owner]
    users: list[User]
    other_compound_user: User


@pytest.fixture
def register(small_city, personas) -> Register:
    """Compound C-1: six owners of 100 m² with accounts, developer with 2 × 50 m²;
    C-2 has one owner with an account (who must never see C-1's votes)."""
    owners = make_register(small_city.compound, [100] * 6, developer_areas=[50, 50])
    users = [owner_user(o, f"owner{i}") for i, o in enumerate(owners)]
    other = make_register(small_city.compound_unmanaged, [80], prefix="X")
    return Register(small_city.compound, owners, users, owner_user(other[0], "stranger"))


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    """Assert on English source strings; the Chinese catalogue is checked by the view tests."""
    with translation.override("en"):
        yield
