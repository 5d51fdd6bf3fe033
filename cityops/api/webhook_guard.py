"""Where a webhook may be sent: the SSRF guard, and a connection pinned to the checked address.

An operator chooses the URL, so without a guard the platform would POST from inside the city's
network to any address a URL names: ``http://10.0.0.1/``, the cloud metadata service at
``169.254.169.254``, or a public name whose DNS answer points inside. The rule, applied at
registration *and* again at every delivery (DNS answers change):

- the scheme is ``https``; plain ``http`` only when every address is loopback and
  ``CITYOPS_WEBHOOK_ALLOW_HTTP_LOOPBACK`` is on (development and tests);
- the host is resolved (``socket.getaddrinfo``) and refused when ANY address is not global
  (``ipaddress`` ``is_global`` false: private, loopback, link-local, multicast, reserved,
  unspecified, shared, documentation …); loopback only passes with the development switch;
- an IPv6 address that embeds an IPv4 one (IPv4-mapped, IPv4-compatible, 6to4, NAT64, Teredo)
  is refused when the embedded IPv4 address would be (``embedded_ipv4``).

At delivery the TCP connection goes to an address that was just checked (``PinnedConnection``)
while the ``Host`` header, SNI and the certificate check use the URL's host name. A DNS answer
that changes between the check and the connection (DNS rebinding) therefore cannot redirect the
request. Proxies from the environment (``HTTPS_PROXY``) are deliberately not used. Residual
risk: none known for the connection itself; redirects are never followed (``webhooks.py``).
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext as _

from cityops.core.errors import DomainError

Address = ipaddress.IPv4Address | ipaddress.IPv6Address


class WebhookRefused(DomainError):
    """The URL may never be called (scheme or address rule): retrying cannot help."""

    code = "webhook_refused"


class WebhookUnresolved(DomainError):
    """The host name has no address now (a temporary DNS failure may pass)."""

    code = "webhook_unresolved"


@dataclass(frozen=True)
class Target:
    """A checked URL: where to connect (``addresses``) and what to ask for."""

    scheme: str
    host: str
    port: int
    path: str
    addresses: tuple[str, ...]


def _loopback_allowed() -> bool:
    return bool(getattr(settings, "CITYOPS_WEBHOOK_ALLOW_HTTP_LOOPBACK", False))


# NAT64 well-known prefix (RFC 6052): the IPv4 address is the last 32 bits.
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
# NAT64 local-use prefix (RFC 8215): a network's own translator, never a public destination
# (where the IPv4 sits depends on the operator's prefix length, so it is refused whole).
_NAT64_LOCAL = ipaddress.IPv6Network("64:ff9b:1::/48")
# IPv4-compatible addresses (RFC 4291 §2.5.5.1, deprecated): ``::a.b.c.d``.
_IPV4_COMPATIBLE = ipaddress.IPv6Network("::/96")


def embedded_ipv4(address: ipaddress.IPv6Address) -> tuple[ipaddress.IPv4Address, ...]:
    """Every IPv4 address an IPv6 address carries inside it, by which a relay or translator
    would reach IPv4: IPv4-mapped, IPv4-compatible, 6to4 (``2002::/16``), NAT64
    (``64:ff9b::/96``) and Teredo (``2001::/32``: the server and the de-obfuscated client)."""
    found: list[ipaddress.IPv4Address] = []
    if address.ipv4_mapped is not None:
        found.append(address.ipv4_mapped)
    if address.sixtofour is not None:
        found.append(address.sixtofour)
    if address.teredo is not None:
        found.extend(address.teredo)
    last32 = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    if address in _NAT64:
        found.append(last32)
    if address in _IPV4_COMPATIBLE and int(address) > 1:  # not :: nor ::1
        found.append(last32)
    return tuple(found)


def address_problem(address: Address, *, allow_loopback: bool) -> str:
    """Why the platform must not connect to ``address`` ("" when it may).

    An IPv6 address that wraps an IPv4 one is judged by the IPv4 address too: 6to4, NAT64 and
    Teredo relays forward to it, so ``2002:7f00:1::`` reaches 127.0.0.1. The development switch
    never lets a wrapped loopback address through: only plain ``127.0.0.0/8`` and ``::1``.
    """
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            address = address.ipv4_mapped  # ::ffff:10.0.0.1 is 10.0.0.1
        else:
            if address in _NAT64_LOCAL:
                return _("a reserved or non-public address")
            for inner in embedded_ipv4(address):
                problem = address_problem(inner, allow_loopback=False)
                if problem:
                    return problem
    if address.is_loopback:
        return "" if allow_loopback else _("a loopback address")
    if address.is_multicast:
        return _("a multicast address")
    if address.is_unspecified:
        return _("an unspecified address")
    if address.is_link_local:
        return _("a link-local address")
    if address.is_private:
        return _("a private address")
    if address.is_reserved or not address.is_global:
        return _("a reserved or non-public address")
    return ""


def resolve(host: str, port: int) -> tuple[str, ...]:
    """Every address ``host`` resolves to, in the resolver's order (duplicates removed)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        infos = []
    seen: dict[str, None] = {}
    for info in infos:
        seen.setdefault(str(info[4][0]).split("%", 1)[0], None)
    return tuple(seen)


def webhook_target(url: str) -> Target:
    """Check ``url`` now (scheme, resolved addresses); raises ``WebhookRefused`` naming ``url``
    or ``WebhookUnresolved`` when the host has no address."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
        host = parts.hostname
    except ValueError:
        raise WebhookRefused(_("Enter an https:// URL."), field="url") from None
    if parts.scheme not in ("https", "http") or not host:
        raise WebhookRefused(_("Enter an https:// URL."), field="url")
    if parts.username or parts.password:
        raise WebhookRefused(_("The URL may not contain a user name or password."), field="url")
    port = port or (443 if parts.scheme == "https" else 80)
    addresses = resolve(host, port)
    if not addresses:
        raise WebhookUnresolved(
            _("The host %(host)s could not be resolved.") % {"host": host}, field="url"
        )
    allow_loopback = _loopback_allowed()
    for text in addresses:
        problem = address_problem(ipaddress.ip_address(text), allow_loopback=allow_loopback)
        if problem:
            raise WebhookRefused(
                _("Refused: %(host)s resolves to %(problem)s.")
                % {"host": host, "problem": problem},
                field="url",
            )
    if parts.scheme == "http" and not (
        allow_loopback and all(ipaddress.ip_address(a).is_loopback for a in addresses)
    ):
        raise WebhookRefused(
            _("Webhooks need HTTPS (plain HTTP only to loopback in development)."), field="url"
        )
    path = parts.path or "/"
    if parts.query:
        path = f"{path}?{parts.query}"
    return Target(parts.scheme, host, port, path, addresses)


class PinnedConnection(http.client.HTTPConnection):
    """HTTP(S) to ``host`` whose socket connects only to the checked ``addresses``.

    ``host`` still gives the Host header, and for HTTPS the SNI and the certificate's name.
    """

    def __init__(
        self, target: Target, *, timeout: float, context: ssl.SSLContext | None = None
    ) -> None:
        super().__init__(target.host, target.port, timeout=timeout)
        self.addresses = target.addresses
        self.tls = target.scheme == "https"
        self.context = context or ssl.create_default_context()
        # The Host header omits the port when it is the scheme's default.
        self.default_port = 443 if self.tls else 80

    def connect(self) -> None:
        error: OSError | None = None
        for address in self.addresses:
            try:
                sock = socket.create_connection((address, self.port), self.timeout)
            except OSError as exc:
                error = exc
                continue
            self.sock = (
                self.context.wrap_socket(sock, server_hostname=self.host) if self.tls else sock
            )
            return
        raise error or OSError("no address to connect to")


def post_pinned(target: Target, body: bytes, headers: dict[str, str], *, timeout: float) -> int:
    """POST ``body`` to the checked target; the HTTP status (redirects are answers too)."""
    connection = PinnedConnection(target, timeout=timeout)
    try:
        connection.request("POST", target.path, body=body, headers=headers)
        return int(connection.getresponse().status)
    finally:
        connection.close()
