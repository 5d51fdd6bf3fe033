"""Demo step: a public, well-known Open311 key (demo installations only, like the passwords)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from cityops.core.management.demo_steps import DemoContext
from cityops.open311.keys import key_create, key_hash
from cityops.open311.models import ApiKey

DEMO_KEY = "o311_demo_tongliao_public_key"


def setup_step(context: DemoContext) -> str:
    key = ApiKey.objects.filter(key_hash=key_hash(DEMO_KEY)).first()
    if key is None:
        key, _secret = key_create(name="Demo app", plaintext=DEMO_KEY)
    elif not key.active:
        ApiKey.objects.filter(pk=key.pk).update(active=True, revoked_at=None)
    return _(
        "Open311 at /open311/v2/discovery.xml, demo api_key=%(key)s "
        "(curl -d api_key=%(key)s -d service_code=… -d lat=… -d long=… …/open311/v2/requests.json)"
    ) % {"key": DEMO_KEY}
