"""The one client-IP helper: X-Forwarded-For counts only when it comes from a trusted proxy."""

from __future__ import annotations

import pytest

from cityops.core.clientip import client_ip_from
from cityops.core.env import EnvError, env_networks

PROXIES = ("10.0.0.0/8", "2001:db8::/32")


@pytest.mark.parametrize(
    ("remote", "forwarded", "expected"),
    [
        # No trusted proxy in front: the header is the client's own text, ignored.
        ("198.51.100.7", "1.2.3.4", "198.51.100.7"),
        ("198.51.100.7", "", "198.51.100.7"),
        # Behind our proxy: the right-most hop that is not a proxy; forged hops on the left lose.
        ("10.0.0.2", "1.2.3.4, 203.0.113.9", "203.0.113.9"),
        ("10.0.0.2", "1.2.3.4, 203.0.113.9, 10.0.0.3", "203.0.113.9"),
        # Only proxies in the chain: the left-most proxy is the best we know.
        ("10.0.0.2", "10.0.0.3", "10.0.0.3"),
        ("10.0.0.2", "", "10.0.0.2"),
        # Garbage where our proxy should have written an address: stop at what we can vouch for.
        ("10.0.0.2", "203.0.113.9, nonsense", "10.0.0.2"),
        ("10.0.0.2", "[2001:db9::1]:443", "2001:db9::1"),
        ("2001:db8::5", "203.0.113.9:5555", "203.0.113.9"),
        ("", "1.2.3.4", "unknown"),
    ],
)
def test_client_ip_from(remote: str, forwarded: str, expected: str) -> None:
    assert client_ip_from(remote, forwarded, PROXIES) == expected


def test_without_trusted_proxies_forwarded_for_never_counts() -> None:
    assert client_ip_from("10.0.0.2", "203.0.113.9", ()) == "10.0.0.2"


def test_trusted_proxies_setting_is_strict(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CITYOPS_TRUSTED_PROXIES", "10.0.0.0/8, 127.0.0.1")
    assert env_networks("CITYOPS_TRUSTED_PROXIES", []) == ["10.0.0.0/8", "127.0.0.1"]
    monkeypatch.setenv("CITYOPS_TRUSTED_PROXIES", "10.0.0.0/33")
    with pytest.raises(EnvError):
        env_networks("CITYOPS_TRUSTED_PROXIES", [])
