from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "cityops.api"
    verbose_name = _("REST API")

    def ready(self) -> None:
        from cityops.api import webhooks  # connects the case_notice receiver
        from cityops.api.models import WebhookDelivery
        from cityops.core.outbox import channel_register

        channel_register(
            name=webhooks.OUTBOX_CHANNEL,
            model=WebhookDelivery,
            send=webhooks.webhook_send,
            load=webhooks.webhook_load,
        )
