"""The client's IP address, the one every rate limit keys on (REST, Open311, public forms,
surveys, login throttling).

``REMOTE_ADDR`` is the peer of the TCP connection and cannot be forged. ``X-Forwarded-For`` can:
any client may send one, so it is read only when the peer is a configured reverse proxy
(``CITYOPS_TRUSTED_PROXIES``). Then the hops are walked from the right (the ones our proxies
appended) and the first address that is not itself a trusted proxy is the client; everything
to its left was written by the client and is ignored, so rotating the header buys nothing.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from django.conf import settings
from django.http import HttpRequest

IpNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=8)
def _networks(cidrs: tuple[str, ...]) -> tuple[IpNetwork, ...]:
    return tuple(ipaddress.ip_network(cidr, strict=False) for cidr in cidrs)


def _parse(value: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    value = value.strip()
    if value.startswith("[") and "]" in value:  # "[2001:db8::1]:443"
        value = value[1 : value.index("]")]
    elif value.count(":") == 1:  # "192.0.2.1:443"
        value = value.split(":", 1)[0]
    try:
        return ipaddress.ip_address(value)
    except ValueError:
        return None


def is_trusted_proxy(address: str, cidrs: tuple[str, ...] | None = None) -> bool:
    parsed = _parse(address)
    if parsed is None:
        return False
    networks = _networks(cidrs if cidrs is not None else trusted_proxies())
    return any(parsed in network for network in networks)


def trusted_proxies() -> tuple[str, ...]:
    return tuple(getattr(settings, "CITYOPS_TRUSTED_PROXIES", ()) or ())


def client_ip_from(remote_addr: str, forwarded_for: str, cidrs: tuple[str, ...]) -> str:
    """Pure core of :func:`client_ip` (see the module docstring)."""
    remote = _parse(remote_addr)
    if remote is None:
        return remote_addr.strip() or "unknown"
    if not cidrs or not is_trusted_proxy(str(remote), cidrs):
        return str(remote)
    hops = [hop for hop in forwarded_for.split(",") if hop.strip()]
    for hop in reversed(hops):
        parsed = _parse(hop)
        if parsed is None:
            # A hop our proxy did not write sensibly: stop at the last address we can vouch for.
            break
        if not is_trusted_proxy(str(parsed), cidrs):
            return str(parsed)
        remote = parsed
    return str(remote)


def client_ip(request: HttpRequest) -> str:
    """The address to count a request against (never a value the client chose freely)."""
    return client_ip_from(
        str(request.META.get("REMOTE_ADDR") or ""),
        str(request.META.get("HTTP_X_FORWARDED_FOR") or ""),
        trusted_proxies(),
    )


def client_ip_or_none(request: HttpRequest) -> str | None:
    """:func:`client_ip` for django-axes, which stores it in an IP column: None when unknown
    (a request built in code, such as a test client's ``force_login``)."""
    ip = client_ip(request)
    return ip if _parse(ip) is not None else None
