from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class Open311Config(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "cityops.open311"
    verbose_name = _("Open311 GeoReport v2")

    def ready(self) -> None:
        from cityops.open311.ratelimit import check_rates

        check_rates()  # a malformed CITYOPS_OPEN311_RATE_* stops the process at start-up
