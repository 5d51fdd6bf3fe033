"""The product's settings, as served in production (DEBUG off), plus the ceiling URL."""

from config.settings.base import *  # noqa: F403

DEBUG = False  # DEBUG keeps every SQL query in memory: not what production runs
ROOT_URLCONF = "api_site.urls"
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
