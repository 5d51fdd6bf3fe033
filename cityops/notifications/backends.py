"""SMS backends. ``settings.CITYOPS_SMS_BACKEND`` names the class (dotted path).

A real gateway (Aliyun, Tencent Cloud, a carrier's SMPP bridge) is a small subclass of
:class:`SmsBackend` that raises on failure; the delivery log records the error and the retry
job tries again.
"""

from __future__ import annotations

import logging
import sys
from functools import lru_cache

from django.conf import settings
from django.core.signals import setting_changed
from django.utils.module_loading import import_string

from cityops.core.crypto import mask_phone

logger = logging.getLogger(__name__)


class SmsError(Exception):
    """The gateway refused or failed to accept the message."""


class SmsBackend:
    """Interface: send one text message, raise on failure."""

    def send(self, phone: str, text: str) -> None:
        raise NotImplementedError


class ConsoleSmsBackend(SmsBackend):
    """Development default: writes the message to stdout and the log (number masked in log)."""

    def send(self, phone: str, text: str) -> None:
        sys.stdout.write(f"SMS to {phone}: {text}\n")
        sys.stdout.flush()
        logger.info("SMS to %s: %s", mask_phone(phone), text)


@lru_cache(maxsize=4)
def _backend_class(path: str) -> type[SmsBackend]:
    cls = import_string(path)
    if not (isinstance(cls, type) and issubclass(cls, SmsBackend)):
        raise TypeError(f"CITYOPS_SMS_BACKEND={path!r} is not an SmsBackend subclass")
    return cls


def get_sms_backend() -> SmsBackend:
    path = getattr(
        settings, "CITYOPS_SMS_BACKEND", "cityops.notifications.backends.ConsoleSmsBackend"
    )
    return _backend_class(path)()


def _clear_cache(*, setting: str, **kwargs: object) -> None:
    if setting == "CITYOPS_SMS_BACKEND":
        _backend_class.cache_clear()


setting_changed.connect(_clear_cache)
