"""Production settings: the base settings with debug forced off and hardened transport."""

from .base import *  # noqa: F403
from .base import DEBUG

if DEBUG:
    raise RuntimeError("config.settings.production must not run with CITYOPS_DEBUG on")

SECURE_HSTS_SECONDS = 31536000
SECURE_SSL_REDIRECT = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
