from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistryConfig(AppConfig):
    name = "cityops.registry"
    label = "registry"
    verbose_name = _("City registry")

    def ready(self) -> None:
        from cityops.core.management.demo_steps import DemoStep, demo_step_register

        demo_step_register(
            DemoStep("city", _("demo district"), "cityops.registry.demo.cli.city_step", order=10)
        )
        from cityops.registry import signals  # noqa: F401  (index invalidation)
