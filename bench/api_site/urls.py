"""The product's API URLconfs (Open311, REST) plus the ceiling: the least a Django view can do
for a POST. Only the API apps' URLs are mounted, at their product paths, so that the bench does
not depend on every other app's views importing cleanly."""

from __future__ import annotations

from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt

CEILING_TABLE = "bench_ceiling"


@csrf_exempt
def ceiling(request: HttpRequest) -> HttpResponse:
    """Parse the same form body as an Open311 POST and insert one row: the framework's ceiling
    (request parsing, middleware, one round trip to the database, a JSON answer)."""
    if request.method != "POST":
        return HttpResponse(status=405)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {CEILING_TABLE} (body, at) VALUES (%s, now()) RETURNING id",  # noqa: S608
            [request.POST.get("description", "")],
        )
        row = cursor.fetchone()
    return JsonResponse([{"service_request_id": str(row[0] if row else 0)}], safe=False)


def ping(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [
    path("bench/ceiling/", ceiling),
    path("bench/ping/", ping),
    path("open311/v2/", include("cityops.open311.urls")),
    path("api/v1/", include("cityops.api.urls")),
]
