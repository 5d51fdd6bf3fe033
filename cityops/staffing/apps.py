from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StaffingConfig(AppConfig):
    name = "cityops.staffing"
    label = "staffing"
    verbose_name = _("Staff transfer")

    def ready(self) -> None:
        from cityops.core.management.demo_steps import DemoStep, demo_step_register

        demo_step_register(
            DemoStep(
                "staffing", _("staff transfer register"), "cityops.staffing.demo.setup_step",
                order=45,
            )
        )  # fmt: skip
        from cityops.cockpit.panels import Panel, panel_register

        # Counts only (no names): the cockpit's viewers see what the mayor's office may see.
        panel_register(
            Panel(
                "staffing",
                _("Reform: staff transfer (人员划转)"),
                "cityops.staffing.cockpit.staffing_compute",
                "staffing/cockpit_panel.html",
                order=60,
            )
        )
        from cityops.core.keyrotation import BlindIndex, blind_index_register
        from cityops.staffing.models import ID_INDEX_PURPOSE

        blind_index_register(
            BlindIndex("staffing.StaffMember", "id_number", "id_number_index", ID_INDEX_PURPOSE)
        )
