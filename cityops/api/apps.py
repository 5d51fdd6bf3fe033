from django.apps import AppConfig
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "cityops.api"
    verbose_name = _("REST API")

    def ready(self) -> None:
        from cityops.api import webhooks
        from cityops.api.models import WebhookDelivery
        from cityops.core import outbox
        from cityops.core.edge import channel_register

        channel_register(prefix="/api/", render=edge_error)
        outbox.channel_register(
            name=webhooks.OUTBOX_CHANNEL,
            model=WebhookDelivery,
            send=webhooks.webhook_send,
            load=webhooks.webhook_load,
        )
        from cityops.api.tokens import API_TOKEN
        from cityops.core.credentials import credential_kind_register

        credential_kind_register(API_TOKEN)


def edge_error(request: HttpRequest, status: int, message: str) -> HttpResponse:
    """An error found at the edge (``cityops.core.edge``) in the API's error format."""
    code = "too_large" if status == 413 else "invalid"
    return JsonResponse({"detail": message, "code": code}, status=status)
