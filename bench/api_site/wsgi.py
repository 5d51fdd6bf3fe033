"""WSGI entry of the bench site. With gunicorn ``--preload`` the application is loaded once in
the master and the workers are forked from it: warming it here (one POST and one GET through
the full stack, when ``BENCH_WARM_FORM`` carries a form body) builds the per-process caches
(registry index, calendar, compiled queries) once, so the figures show the steady state a
long-running production worker is in, not five workers building caches at the same time."""

import os
from urllib.parse import parse_qsl

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "api_site.settings")
application = get_wsgi_application()

if form := os.environ.get("BENCH_WARM_FORM", ""):
    from django.db import connections
    from django.test import Client

    client = Client(HTTP_HOST="127.0.0.1")
    for _ in range(3):
        client.post("/open311/v2/requests.json", dict(parse_qsl(form)))
        client.get("/open311/v2/requests.json", {"status": "open"})
    connections.close_all()  # never share a database connection with forked workers
