from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistryConfig(AppConfig):
    name = "cityops.registry"
    label = "registry"
    verbose_name = _("City registry")

    def ready(self) -> None:
        from cityops.registry import signals  # noqa: F401  (index invalidation)
