"""Demo step: a public, well-known Open311 key (demo installations only, like the passwords)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from cityops.core.management.demo_steps import DemoContext
from cityops.core.models import Credential
from cityops.open311.keys import key_by_secret, key_create

DEMO_KEY = "o311_demo_tongliao_public_key"


def setup_step(context: DemoContext) -> str:
    key = key_by_secret(DEMO_KEY)
    if key is None:
        key, _secret = key_create(name="Demo app", plaintext=DEMO_KEY)
    elif not key.active:
        # Demo installations only: the well-known key works again after a reset.
        Credential.objects.filter(pk=key.credential_id).update(revoked_at=None, expires_at=None)
    return _(
        "Open311 at /open311/v2/discovery.xml, demo api_key=%(key)s "
        "(curl -d api_key=%(key)s -d service_code=… -d lat=… -d long=… …/open311/v2/requests.json)"
    ) % {"key": DEMO_KEY}
