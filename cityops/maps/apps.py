from django.apps import AppConfig
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext_lazy as _


class MapsConfig(AppConfig):
    name = "cityops.maps"
    label = "maps"
    verbose_name = _("Maps")

    def ready(self) -> None:
        from cityops.core.edge import channel_register

        channel_register(prefix="/maps/", render=edge_error)


def edge_error(request: HttpRequest, status: int, message: str) -> HttpResponse:
    """An error found at the edge (``cityops.core.edge``) in the maps endpoints' JSON format."""
    return JsonResponse({"detail": message, "code": "invalid"}, status=status)
