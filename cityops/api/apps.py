from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "cityops.api"
    verbose_name = _("REST API")

    def ready(self) -> None:
        from cityops.api import webhooks  # noqa: F401 - connects the case_notice receiver
