from __future__ import annotations

import pytest

from cityops.accounts.models import User


@pytest.fixture
def alice(db: None) -> User:
    return User.objects.create_user(
        username="alice", password="alice-pass-123", email="alice@example.cn"
    )


@pytest.fixture
def charlie(db: None) -> User:
    """The one who must always be refused on alice's notifications."""
    return User.objects.create_user(username="charlie", password="charlie-pass-123")
