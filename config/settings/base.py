"""CityOps settings. Everything that differs between deployments comes from the environment.

Every variable is documented in ``.env.example``. In production mode (CITYOPS_DEBUG off) no
secret has a default: a missing one stops the process at start-up.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from cityops.core.env import (
    EnvError,
    env_bool,
    env_choice,
    env_int,
    env_int_list,
    env_intervals,
    env_list,
    env_networks,
    env_str,
    load_env_file,
    parse_database_url,
    read_or_create_secret,
)

BASE_DIR = Path(__file__).resolve().parent.parent.parent
load_env_file(BASE_DIR / ".env")
VAR_DIR = Path(env_str("CITYOPS_VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("CITYOPS_DEBUG", False)

if DEBUG:
    SECRET_KEY = env_str("CITYOPS_SECRET_KEY", "") or read_or_create_secret(VAR_DIR / "secret_key")
    # Key for personal data encrypted at rest (Fernet, urlsafe base64 of 32 bytes).
    FIELD_ENCRYPTION_KEYS = env_list("CITYOPS_FIELD_ENCRYPTION_KEYS", []) or [
        read_or_create_secret(VAR_DIR / "field_key", length=32)
    ]
else:
    SECRET_KEY = env_str("CITYOPS_SECRET_KEY")
    FIELD_ENCRYPTION_KEYS = env_list("CITYOPS_FIELD_ENCRYPTION_KEYS", [])
    if not FIELD_ENCRYPTION_KEYS:
        raise EnvError("CITYOPS_FIELD_ENCRYPTION_KEYS is required when CITYOPS_DEBUG is off")

ALLOWED_HOSTS = env_list("CITYOPS_ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env_list("CITYOPS_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "cityops.core.thirdparty_apps.AxesConfig",  # django-axes, section name translated
    # Before django_tasks_db: its ``db_worker`` command is cityops.core's (heartbeat, outages).
    "cityops.core",
    "django_tasks",
    "cityops.core.thirdparty_apps.TasksDatabaseConfig",  # django-tasks-db, translated name
    "cityops.accounts",
    "cityops.registry",
    "cityops.workcal",
    "cityops.notifications",
    "cityops.cases",
    "cityops.evaluations",
    "cityops.inspections",
    "cityops.assessment",
    "cityops.procurement",
    "cityops.estates",
    "cityops.staffing",
    "cityops.decisions",
    "cityops.open311",
    "cityops.api",
    "cityops.console",
    "cityops.public",
    "cityops.vehicles",
    "cityops.cockpit",
    "cityops.maps",
]

MIDDLEWARE = [
    # gc.freeze() after the first response: no 100 ms full collections over long-lived objects.
    "cityops.core.gcfreeze.FreezeAfterFirstResponse",
    "cityops.core.requestid.RequestIdMiddleware",
    "cityops.core.metrics.MetricsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "cityops.core.middleware.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Read-only pages that tolerate lag read from the replica (if configured and fresh).
    "cityops.core.dbrouter.ReplicaReadsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # Refuses control characters in path, query and forms, bodies over a channel's limit.
    "cityops.core.edge.EdgeInputMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, so that it sees authentication failures from every backend.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

# Django's form renderer with the select box written in Python (core/formrender.py).
FORM_RENDERER = "cityops.core.formrender.FormRenderer"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "cityops.core.context_processors.site",
            ],
        },
    },
]

DATABASES = {
    "default": parse_database_url(
        env_str("DATABASE_URL", "sqlite:///var/cityops.sqlite3"), base_dir=BASE_DIR
    ).as_django()
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL and a busy timeout let the web process and the task worker share one file.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
# Persistent connections (checked before reuse): opening a PostgreSQL connection costs more
# than most requests do (bench/api_gunicorn.py: ≈ 6× the throughput of a one-INSERT view).
DATABASES["default"]["CONN_MAX_AGE"] = env_int("CITYOPS_DB_CONN_MAX_AGE", 60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# A PostgreSQL streaming replica for reads that tolerate seconds of lag (cityops.core.dbrouter):
# GET/HEAD of these path prefixes, when the replica answers with at most MAX_LAG seconds of lag
# (checked at most every CHECK_SECONDS per process); otherwise the primary.
if env_str("CITYOPS_REPLICA_URL", ""):
    DATABASES["replica"] = {
        **parse_database_url(env_str("CITYOPS_REPLICA_URL"), base_dir=BASE_DIR).as_django(),
        "CONN_MAX_AGE": DATABASES["default"]["CONN_MAX_AGE"],
        "CONN_HEALTH_CHECKS": True,
        "TEST": {"MIRROR": "default"},
    }
# PostgreSQL's planner cost of a random page read, set on every connection: on SSDs (the
# default here) little dearer than a sequential one. The server's own default (4.0) assumes
# spinning disks and walks a whole-table index in physical order where a unit's own index
# answers (the case list: 4 s against 4 ms). Empty: the server's setting.
CITYOPS_PG_RANDOM_PAGE_COST = env_str("CITYOPS_PG_RANDOM_PAGE_COST", "1.1")
if CITYOPS_PG_RANDOM_PAGE_COST:
    try:
        _page_cost = float(CITYOPS_PG_RANDOM_PAGE_COST)
    except ValueError:
        raise ImproperlyConfigured("CITYOPS_PG_RANDOM_PAGE_COST must be a number") from None
    _dbs: dict[str, Any] = DATABASES
    for _db in _dbs.values():
        if "postgresql" in _db["ENGINE"]:
            _opts = _db.setdefault("OPTIONS", {})
            _opts["options"] = (
                f"{_opts.get('options', '')} -c random_page_cost={_page_cost}".strip()
            )
DATABASE_ROUTERS = ["cityops.core.dbrouter.ReplicaRouter"]
CITYOPS_REPLICA_MAX_LAG = env_int("CITYOPS_REPLICA_MAX_LAG", 5)
CITYOPS_REPLICA_CHECK_SECONDS = env_int("CITYOPS_REPLICA_CHECK_SECONDS", 5)
CITYOPS_REPLICA_PATHS = env_list(
    "CITYOPS_REPLICA_PATHS",
    ["/cockpit/", "/ranking/", "/public/", "/open311/v2/requests.", "/open311/v2/services"],
)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/console/"  # the role-aware home (cityops.console)
LOGOUT_REDIRECT_URL = "/"

# Login throttling (django-axes): lock a username+IP pair after repeated failures.
AXES_FAILURE_LIMIT = env_int("CITYOPS_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = env_int("CITYOPS_LOGIN_COOLOFF_MINUTES", 15) / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
# The one client-IP helper every rate limit uses (X-Forwarded-For only from trusted proxies).
AXES_CLIENT_IP_CALLABLE = "cityops.core.clientip.client_ip_or_none"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Asia/Shanghai"
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS: list[Path | tuple[str, Path]] = [BASE_DIR / "static"]
# Front-end libraries come from the npm registry at set-up (make assets) into var/vendor and
# are served by us: never from a CDN at run time. They belong to the installation (beside the
# code), not to the data folder CITYOPS_VAR_DIR.
VENDOR_DIR = Path(env_str("CITYOPS_VENDOR_DIR", str(BASE_DIR / "var" / "vendor")))
if VENDOR_DIR.is_dir():
    STATICFILES_DIRS.append(("vendor", VENDOR_DIR))
# The Chinese TrueType font embedded in every PDF (cityops.core.pdffonts), from npm at set-up.
CITYOPS_PDF_FONT = VENDOR_DIR / "fonts" / "400Regular" / "NotoSansSC_400Regular.ttf"
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("CITYOPS_MEDIA_ROOT", str(VAR_DIR / "media")))
# Staff-only files (photo originals with their EXIF GPS position): outside MEDIA_ROOT, never under
# MEDIA_URL, with random names; only authorised views hand them out (cityops.core.private_media).
# Such a view streams the file itself ("none"), or lets the web server send it: "nginx" answers
# X-Accel-Redirect to CITYOPS_MEDIA_ACCEL_PREFIX (an `internal` location aliased to the private
# root), "apache" answers X-Sendfile with the file's path (mod_xsendfile).
CITYOPS_PRIVATE_MEDIA_ROOT = Path(env_str("CITYOPS_PRIVATE_MEDIA_ROOT", str(VAR_DIR / "private")))
CITYOPS_MEDIA_ACCEL = env_choice("CITYOPS_MEDIA_ACCEL", "none", ("none", "nginx", "apache"))
CITYOPS_MEDIA_ACCEL_PREFIX = env_str("CITYOPS_MEDIA_ACCEL_PREFIX", "/internal-media/")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Production: hashed, compressed names (run `manage.py collectstatic` at each release).
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "cityops.core.staticfiles.ManifestStorage"
    },
}
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("CITYOPS_MAX_REQUEST_BYTES", 25 * 1024 * 1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

CACHES: dict[str, dict[str, Any]] = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "cityops",
    }
}
if env_str("CITYOPS_REDIS_URL", ""):
    # Shared by every app process; degraded (misses, fail-open rate limits), never broken, when
    # Redis is down (cityops.core.cache). Sessions live in the database with a copy in Redis.
    CACHES["default"] = {
        "BACKEND": "cityops.core.cache.TolerantRedisCache",
        "LOCATION": env_str("CITYOPS_REDIS_URL"),
        "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

TASKS = {
    "default": {
        "BACKEND": env_str("CITYOPS_TASKS_BACKEND", "cityops.core.tasks.DatabaseBackend"),
    }
}

EMAIL_BACKEND = env_str("CITYOPS_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env_str("CITYOPS_FROM_EMAIL", "cityops@localhost")
# SMS gateway: dotted path of a cityops.notifications.backends.SmsBackend subclass.
CITYOPS_SMS_BACKEND = env_str(
    "CITYOPS_SMS_BACKEND", "cityops.notifications.backends.ConsoleSmsBackend"
)

# Delivery outbox (cityops.core.outbox: notifications, SMS, webhooks): seconds to wait before
# the 2nd, 3rd … attempt (after the last, the delivery is "dead"), and how long a claim holds
# before another worker may take a delivery over (a worker that died mid-send).
CITYOPS_OUTBOX_BACKOFF = env_int_list("CITYOPS_OUTBOX_BACKOFF", [60, 300, 1800, 7200, 43200])
CITYOPS_OUTBOX_CLAIM_SECONDS = env_int("CITYOPS_OUTBOX_CLAIM_SECONDS", 600)

# Personal data over time (PIPL): days after a case closes before its reporter's contact data
# (name, phone, Open311 e-mail/device/account, SMS numbers) is erased (◐ 365; 0 = never).
CITYOPS_REPORTER_RETENTION_DAYS = env_int("CITYOPS_REPORTER_RETENTION_DAYS", 365)

# Case photos (cityops.core.images): largest accepted upload and thumbnail size.
CITYOPS_MAX_IMAGE_BYTES = env_int("CITYOPS_MAX_IMAGE_BYTES", 10 * 1024 * 1024)
CITYOPS_MAX_IMAGE_PIXELS = env_int("CITYOPS_MAX_IMAGE_PIXELS", 50_000_000)
CITYOPS_THUMBNAIL_PX = env_int("CITYOPS_THUMBNAIL_PX", 320)
# Residents' duplicate hint (/report/duplicates/): look-ups per IP address and hour.
CITYOPS_PUBLIC_HINTS_PER_HOUR = env_int("CITYOPS_PUBLIC_HINTS_PER_HOUR", 120)

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # JSON bodies pass the edge's rules (depth, text: cityops/api/parsers.py) like forms do.
    "DEFAULT_PARSER_CLASSES": [
        "cityops.api.parsers.CleanJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    # cityops.api: per token (or user) and per IP; the cache holds the counters.
    "DEFAULT_THROTTLE_RATES": {
        "api_client": env_str("CITYOPS_API_RATE_CLIENT", "600/min"),
        "api_ip": env_str("CITYOPS_API_RATE_IP", "300/min"),
    },
}
# Open311 GeoReport v2 (cityops.open311): the jurisdiction this endpoint serves.
OPEN311_JURISDICTION_ID = env_str("CITYOPS_OPEN311_JURISDICTION_ID", "tongliao.gov.cn")
OPEN311_CONTACT = env_str("CITYOPS_OPEN311_CONTACT", "通辽市城市运行管理服务中心 12345")
OPEN311_KEY_SERVICE = env_str(
    "CITYOPS_OPEN311_KEY_SERVICE", "API keys are issued by the command centre's administrator."
)
# Open311 rate limits ("N/sec|min|hour|day", empty = none): per API key for POST and GET, and
# per client IP for calls without a valid key (cityops/open311/ratelimit.py).
OPEN311_RATE_POST_KEY = env_str("CITYOPS_OPEN311_RATE_POST_KEY", "60/min")
OPEN311_RATE_GET_KEY = env_str("CITYOPS_OPEN311_RATE_GET_KEY", "600/min")
OPEN311_RATE_IP = env_str("CITYOPS_OPEN311_RATE_IP", "120/min")
# Open311 intake queue (cityops/open311/intake.py): a POST asks a worker to drain at most once
# per this many seconds per process (0: every POST); a drain files this many requests per
# transaction, runs at most this long, and takes over claims older than the claim timeout.
OPEN311_INTAKE_KICK_SECONDS = float(env_str("CITYOPS_OPEN311_INTAKE_KICK_SECONDS", "1"))
OPEN311_INTAKE_BATCH = env_int("CITYOPS_OPEN311_INTAKE_BATCH", 200)
OPEN311_INTAKE_DRAIN_SECONDS = env_int("CITYOPS_OPEN311_INTAKE_DRAIN_SECONDS", 30)
OPEN311_INTAKE_CLAIM_SECONDS = env_int("CITYOPS_OPEN311_INTAKE_CLAIM_SECONDS", 300)
# Evaluation runs (monthly and snow, cityops/evaluations/run_lease.py): a run's lease lasts
# this many seconds and is renewed with every progress write; a run whose worker stopped is
# taken over by the next start once its lease has expired.
CITYOPS_RUN_LEASE_SECONDS = env_int("CITYOPS_RUN_LEASE_SECONDS", 300)
# Finished background-task results are deleted after these many days (daily scheduler job).
CITYOPS_TASK_RESULTS_KEEP_DAYS = env_int("CITYOPS_TASK_RESULTS_KEEP_DAYS", 7)
CITYOPS_TASK_FAILURES_KEEP_DAYS = env_int("CITYOPS_TASK_FAILURES_KEEP_DAYS", 30)
# db_worker and run_scheduler beat a heartbeat this often (seconds); one silent for the timeout
# is dead: /healthz is "degraded" without a live worker and scheduler, its Open311 claims are
# taken over and its running task is marked failed. A database outage pauses them, retrying
# with backoff doubling up to the cap (seconds).
CITYOPS_HEARTBEAT_SECONDS = env_int("CITYOPS_HEARTBEAT_SECONDS", 10)
# db_worker lowers its CPU priority by this much (os.nice, 0-19) when it starts, so that on
# shared cores the web requests come first: what it runs (the Open311 drain, deliveries) was
# acknowledged already and is done within seconds. 0 keeps the priority.
CITYOPS_WORKER_NICE = env_int("CITYOPS_WORKER_NICE", 10)
CITYOPS_HEARTBEAT_TIMEOUT_SECONDS = env_int("CITYOPS_HEARTBEAT_TIMEOUT_SECONDS", 45)
CITYOPS_OUTAGE_MAX_BACKOFF_SECONDS = env_int("CITYOPS_OUTAGE_MAX_BACKOFF_SECONDS", 30)
# /healthz runs these (cityops.core.views.healthz); the Open311 queue is "degraded" when a
# request has waited for the worker longer than the age below (seconds): is db_worker running?
# /readyz: the oldest ready background task may wait this long (seconds) before "degraded".
CITYOPS_READY_MAX_QUEUE_AGE = env_int("CITYOPS_READY_MAX_QUEUE_AGE", 300)
# /metrics answers only a request with "Authorization: Bearer <this>" (none: no endpoint, 404).
CITYOPS_METRICS_TOKEN = env_str("CITYOPS_METRICS_TOKEN", "")
CITYOPS_HEALTH_CHECKS = [
    "cityops.open311.intake.queue_health",
    "cityops.core.workers.workers_health",
]
OPEN311_INTAKE_ALERT_SECONDS = env_int("CITYOPS_OPEN311_INTAKE_ALERT_SECONDS", 300)
# … and for this many hours after the drain set a request aside as "failed" (it could not be
# filed: a fault to look into; the audit event "open311.request.failed" says why).
OPEN311_INTAKE_FAILED_ALERT_HOURS = env_int("CITYOPS_OPEN311_INTAKE_FAILED_ALERT_HOURS", 24)
# The POST's checks may use the catalogue and registry as this process read them up to this
# many seconds ago (0: read them on every POST); the drain checks again with current data.
OPEN311_POST_CHECK_MAX_AGE = float(env_str("CITYOPS_OPEN311_POST_CHECK_MAX_AGE", "10"))
# Operators' webhooks: plain HTTP allowed only to loopback, and only when this is on.
CITYOPS_WEBHOOK_ALLOW_HTTP_LOOPBACK = env_bool("CITYOPS_WEBHOOK_ALLOW_HTTP_LOOPBACK", DEBUG)
# Errors no view wrote (unknown route, unreadable body, database outage) answer in the format
# of the API that owns the URL prefix (cityops.core.httperrors); HTML elsewhere.
CITYOPS_ERROR_FORMATS = [
    ("/api/", "cityops.api.base.render_error"),
    ("/open311/", "cityops.open311.errors.render_error"),
]
# Seconds a client is asked to wait (Retry-After) when the database cannot be reached (503).
CITYOPS_OUTAGE_RETRY_AFTER = env_int("CITYOPS_OUTAGE_RETRY_AFTER", 30)
# Largest JSON / form body the REST API and Open311 accept (uploads: CITYOPS_MAX_IMAGE_BYTES).
CITYOPS_API_MAX_BODY_BYTES = env_int("CITYOPS_API_MAX_BODY_BYTES", 256 * 1024)
SPECTACULAR_SETTINGS = {
    "TITLE": "CityOps API",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Request bodies get their own components (non-blank strings minLength 1, uploads binary).
    "COMPONENT_SPLIT_REQUEST": True,
    # One enum for the traffic light, whichever clock's light a field shows.
    "ENUM_NAME_OVERRIDES": {"LightEnum": "cityops.cases.models.Light"},
    # Every operation's error answers and strict query parameters (cityops/api/schema.py).
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "cityops.api.schema.add_error_responses",
    ],
}

# Security headers. Production is this same file with CITYOPS_DEBUG=0 (there is no separate
# production settings module): HTTPS-only cookies, redirect to HTTPS and HSTS unless explicitly
# running plain HTTP (CITYOPS_HTTPS=0: intranet, demo, tests).
HTTPS = not DEBUG and env_bool("CITYOPS_HTTPS", True)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS
# Load balancers probe the health check over plain HTTP inside the network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = env_int("CITYOPS_HSTS_SECONDS", 365 * 24 * 3600) if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("CITYOPS_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("CITYOPS_HSTS_PRELOAD", False)
if HTTPS and not SECURE_HSTS_PRELOAD:
    # Preloading binds every subdomain of the registered domain for years: the domain's owner
    # decides (CITYOPS_HSTS_PRELOAD=1), so its absence is not a deployment defect.
    SILENCED_SYSTEM_CHECKS = ["security.W021"]
# Reverse proxies whose X-Forwarded-For is believed (CIDRs or addresses): every rate limit keys
# on cityops.core.clientip.client_ip(), which is REMOTE_ADDR unless that is one of these.
CITYOPS_TRUSTED_PROXIES = env_networks("CITYOPS_TRUSTED_PROXIES", [])
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("CITYOPS_BEHIND_PROXY", False) else None
)

# Map tiles: an URL template for Leaflet; empty means no background layer (tests, offline).
# Tianditu in production, e.g.
# https://t{s}.tianditu.gov.cn/vec_w/wmts?...&tk=KEY  (CGCS2000 ≈ WGS-84: no offset applied)
CITYOPS_TILE_URL = env_str("CITYOPS_TILE_URL", "")
CITYOPS_TILE_ATTRIBUTION = env_str("CITYOPS_TILE_ATTRIBUTION", "")
CITYOPS_TILE_SUBDOMAINS = env_str("CITYOPS_TILE_SUBDOMAINS", "01234567")
# An optional second tile layer drawn over them: Tianditu's annotation (names) layer, e.g.
# https://t{s}.tianditu.gov.cn/cva_w/wmts?...&LAYER=cva&...&tk=KEY (its vec_w tiles carry no names).
CITYOPS_TILE_OVERLAY_URL = env_str("CITYOPS_TILE_OVERLAY_URL", "")
# The datum of those tiles: "wgs84" (Tianditu: CGCS2000 ≈ WGS-84) or "gcj02" (Amap, Tencent):
# with gcj02 the maps project our WGS-84 data through GCJ-02 so it lands on the tiles' streets.
CITYOPS_TILE_DATUM = env_choice("CITYOPS_TILE_DATUM", "wgs84", ("wgs84", "gcj02"))
# Which base map every map draws (cityops/maps/config.py): "auto" = online tiles when
# CITYOPS_TILE_URL is set, else the self-hosted archive when CITYOPS_BASEMAP_ARCHIVE is set, else
# the district drawn from the registry itself (works on isolated networks); or force one of
# "tiles", "archive", "registry".
CITYOPS_BASEMAP = env_choice("CITYOPS_BASEMAP", "auto", ("auto", "tiles", "archive", "registry"))
# A self-hosted raster tile archive served by the platform at /maps/tiles/{z}/{x}/{y}: a PMTiles
# file (.pmtiles) or an MBTiles file (.mbtiles); empty = none.
CITYOPS_BASEMAP_ARCHIVE = env_str("CITYOPS_BASEMAP_ARCHIVE", "")
CITYOPS_BASEMAP_ARCHIVE_ATTRIBUTION = env_str("CITYOPS_BASEMAP_ARCHIVE_ATTRIBUTION", "")
# Seconds browsers and proxies may keep a registry base-map layer or an archive tile before
# revalidating (the ETag answers 304 while the registry has not changed).
CITYOPS_BASEMAP_MAX_AGE = env_int("CITYOPS_BASEMAP_MAX_AGE", 300)
# Address search on the public report page: look-ups per client IP address and hour.
CITYOPS_GEOCODE_PER_HOUR = env_int("CITYOPS_GEOCODE_PER_HOUR", 600)
# Default map centre: Tongliao central district (WGS-84).
CITYOPS_MAP_CENTER = (43.62, 122.26)
CITYOPS_MAP_ZOOM = 13

# Cases: tell the bureau supervisors when a case has been red (overdue) this many hours.
CITYOPS_CASES_SUPERVISOR_AFTER_HOURS = env_int("CITYOPS_CASES_SUPERVISOR_AFTER_HOURS", 24)
# Cases: remind the handling unit this many calendar hours before a deadline (0: no reminders).
CITYOPS_CASES_REMINDER_HOURS = env_int("CITYOPS_CASES_REMINDER_HOURS", 2)
# Cases: at most this many escalation notices per SLA pass (a backlog is worked off over passes).
CITYOPS_CASES_ESCALATIONS_PER_PASS = env_int("CITYOPS_CASES_ESCALATIONS_PER_PASS", 100_000)
# Cases: working hours to verify (核实) a public report before its light turns red (◐ 2).
CITYOPS_CASES_VERIFY_WORKING_HOURS = env_int("CITYOPS_CASES_VERIFY_WORKING_HOURS", 2)
# Registry: a process re-reads the registry version at most this often (milliseconds) before it
# answers a point lookup from its spatial index; edits made in the same process apply at once.
CITYOPS_REGISTRY_VERSION_CHECK_MS = env_int("CITYOPS_REGISTRY_VERSION_CHECK_MS", 1000)
# Public report form: reports accepted per client per hour.
CITYOPS_PUBLIC_REPORTS_PER_HOUR = env_int("CITYOPS_PUBLIC_REPORTS_PER_HOUR", 10)
# The site's own address, for links in messages sent outside a request (subscriptions).
CITYOPS_SITE_URL = env_str("CITYOPS_SITE_URL", "http://127.0.0.1:8000")
# Residents: "still not fixed" reopens a closed case within this many calendar days (◐ 14).
CITYOPS_REOPEN_DAYS = env_int("CITYOPS_REOPEN_DAYS", 14)
# Residents: "this is my problem too" per client per hour (one per case and person/device).
CITYOPS_PUBLIC_SUPPORTS_PER_HOUR = env_int("CITYOPS_PUBLIC_SUPPORTS_PER_HOUR", 30)
# Scheduler intervals in seconds per job (0 disables one), e.g. "sla_scan=30,credit_from_cases=0";
# in Python settings a job may also be a dict {"target": "dotted.path", "every": seconds}.
CITYOPS_SCHEDULE: dict[str, Any] = dict(env_intervals("CITYOPS_SCHEDULE"))

# Vehicles (JT/T 808): the gateway's address, how it stores positions ("embedded": it writes to
# the database itself; "jetstream": it publishes to NATS JetStream and `jt808_consume` writes),
# the NATS server and stream, and the position writer's batch (rows, seconds).
CITYOPS_JT808_HOST = env_str("CITYOPS_JT808_HOST", "127.0.0.1")
CITYOPS_JT808_PORT = env_int("CITYOPS_JT808_PORT", 7808)
CITYOPS_JT808_MODE = env_choice("CITYOPS_JT808_MODE", "embedded", ("embedded", "jetstream"))
CITYOPS_NATS_URL = env_str("CITYOPS_NATS_URL", "nats://127.0.0.1:4222")
CITYOPS_JT808_STREAM = env_str("CITYOPS_JT808_STREAM", "JT808")
CITYOPS_JT808_BATCH_ROWS = env_int("CITYOPS_JT808_BATCH_ROWS", 5000)
CITYOPS_JT808_BATCH_MS = env_int("CITYOPS_JT808_BATCH_MS", 500)
# The gateway's own Prometheus endpoint (connections, terminals, frames); port 0: none.
CITYOPS_JT808_METRICS_HOST = env_str("CITYOPS_JT808_METRICS_HOST", "127.0.0.1")
CITYOPS_JT808_METRICS_PORT = env_int("CITYOPS_JT808_METRICS_PORT", 0)

# Text for a developer, JSON lines for a log collector; each line carries the request id.
CITYOPS_LOG_FORMAT = env_choice("CITYOPS_LOG_FORMAT", "text", ("text", "json"))
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "cityops.core.requestid.RequestIdFilter"}},
    "formatters": {
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {"()": "cityops.core.requestid.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id"],
            "formatter": CITYOPS_LOG_FORMAT,
        }
    },
    "root": {"handlers": ["console"], "level": env_str("CITYOPS_LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
