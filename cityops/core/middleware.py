"""Security headers every response carries.

The Content-Security-Policy forbids inline scripts: pages pass data through ``json_script``
or ``data-`` attributes and behaviour lives in static files served by us. Map tiles are
the one outside origin, taken from the configured tile URL.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpRequest, HttpResponse


def tile_origin(url: str) -> str:
    """The CSP source for a Leaflet tile URL template (``{s}`` subdomains become ``*``)."""
    if not url:
        return ""
    parts = urlsplit(url)
    host = parts.netloc.rsplit("@", 1)[-1]
    labels = ["*" if "{" in label else label for label in host.split(".")]
    return f"{parts.scheme}://{'.'.join(labels)}"


def build_csp() -> str:
    tiles = tile_origin(settings.CITYOPS_TILE_URL)
    overlay = tile_origin(settings.CITYOPS_TILE_OVERLAY_URL)
    img = " ".join(dict.fromkeys(filter(None, ["'self'", "data:", "blob:", tiles, overlay])))
    directives = [
        "default-src 'self'",
        "script-src 'self'",
        # Leaflet and the admin set style attributes; no inline <script> is ever allowed.
        "style-src 'self' 'unsafe-inline'",
        f"img-src {img}",
        "font-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
    return "; ".join(directives)


class SecurityHeadersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.csp = build_csp()

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", self.csp)
        response.headers.setdefault("Permissions-Policy", "camera=(self), geolocation=(self)")
        return response
