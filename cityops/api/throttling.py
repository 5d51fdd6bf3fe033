"""Rate limits per token (or signed-in user) and per client IP, counted by the one limiter
(``cityops.core.ratelimit``); the IP is ``cityops.core.clientip.client_ip``, so rotating
X-Forwarded-For does not reset the per-IP count. Over the limit: 429 with Retry-After."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from rest_framework.request import Request
from rest_framework.throttling import BaseThrottle
from rest_framework.views import APIView

from cityops.api.models import ApiToken
from cityops.core.clientip import client_ip
from cityops.core.ratelimit import Rate, parse_rate, rate_limit_hit


class _Throttle(BaseThrottle):
    scope = ""

    def __init__(self) -> None:
        self._wait: int | None = None

    def rate(self) -> Rate | None:
        config: dict[str, Any] = settings.REST_FRAMEWORK
        rates: dict[str, str] = config.get("DEFAULT_THROTTLE_RATES", {})
        return parse_rate(str(rates.get(self.scope) or ""), f"throttle rate {self.scope}")

    def ident(self, request: Request) -> str | None:
        raise NotImplementedError

    def allow_request(self, request: Request, view: APIView) -> bool:
        ident = self.ident(request)
        if ident is None:
            return True
        self._wait = rate_limit_hit(scope=f"api:{self.scope}", ident=ident, rate=self.rate())
        return self._wait is None

    def wait(self) -> float | None:
        return self._wait


class ClientRateThrottle(_Throttle):
    scope = "api_client"

    def ident(self, request: Request) -> str | None:
        if isinstance(request.auth, ApiToken):
            return f"token:{request.auth.pk}"
        if request.user and request.user.is_authenticated:
            return f"user:{request.user.pk}"
        return None


class IpRateThrottle(_Throttle):
    scope = "api_ip"

    def ident(self, request: Request) -> str | None:
        return client_ip(request)
