from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InspectionsConfig(AppConfig):
    name = "cityops.inspections"
    label = "inspections"
    verbose_name = _("Inspections")

    def ready(self) -> None:
        from cityops.core.management.demo_steps import DemoStep, demo_step_register
        from cityops.evaluations.interfaces import inspection_sources_register

        # The evaluation (below this app) reads inspections only through these sources.
        inspection_sources_register(
            monthly="cityops.inspections.sources.monthly_inspections",
            snow_event="cityops.inspections.sources.snow_event_inspections",
        )

        demo_step_register(
            DemoStep(
                "inspections",
                _("inspection plans and inspections"),
                "cityops.inspections.demo.inspections_step",
                order=70,
            )
        )
