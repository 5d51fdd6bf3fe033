"""Government procurement of the operators (政府采购): projects, statutory periods, challenges."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProcurementConfig(AppConfig):
    name = "cityops.procurement"
    label = "procurement"
    verbose_name = _("Procurement")

    def ready(self) -> None:
        from cityops.core.management.demo_steps import (
            DemoStep,
            demo_delete_hook_register,
            demo_step_register,
        )

        demo_step_register(
            DemoStep(
                "procurement",
                _("procurement of the operators"),
                "cityops.procurement.demo.procurement_step",
                order=85,
            )
        )
        demo_delete_hook_register("cityops.procurement.demo.delete_hook", order=5)
        from cityops.cockpit.panels import Panel, panel_register

        panel_register(
            Panel(
                "procurement",
                _("Reform: procurement of the operators (政府采购)"),
                "cityops.procurement.cockpit.procurement_compute",
                "procurement/cockpit_panel.html",
                order=61,
            )
        )
