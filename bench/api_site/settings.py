"""The product's settings, as served in production (DEBUG off), plus the ceiling URL."""

from config.settings.base import *  # noqa: F403

DEBUG = False  # DEBUG keeps every SQL query in memory: not what production runs
ROOT_URLCONF = "api_site.urls"
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]

# The rate limits stay on (their cost is part of every request) but far above what the
# driver sends: the benchmark measures throughput, not the limiter's refusals.
OPEN311_RATE_POST_KEY = OPEN311_RATE_GET_KEY = OPEN311_RATE_IP = "1000000/min"
