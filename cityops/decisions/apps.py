from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DecisionsConfig(AppConfig):
    name = "cityops.decisions"
    label = "decisions"
    verbose_name = _("Decisions and supervision")

    def ready(self) -> None:
        from cityops.core.management.demo_steps import (
            DemoStep,
            demo_delete_hook_register,
            demo_step_register,
        )
        from cityops.core.scheduler import Job, schedule_job_register

        # The ladder runs every 15 minutes (◐; idempotent: a rung is reached once), snapshots
        # and document expiry once a day.
        schedule_job_register(
            Job("decisions_escalate", "cityops.decisions.services.ladder_job.escalate_job", 900)
        )
        schedule_job_register(
            Job("indicator_snapshots", "cityops.decisions.services.snapshots.snapshots_job", 86_400)
        )
        schedule_job_register(
            Job("documents_expire", "cityops.decisions.services.documents.expire_job", 86_400)
        )
        demo_step_register(
            DemoStep(
                "decisions",
                _("decisions of 17 November (督办)"),
                "cityops.decisions.demo.setup_step",
                order=90,
            )
        )
        demo_delete_hook_register("cityops.decisions.demo.delete_hook", order=5)
        from cityops.cockpit.panels import Panel, panel_register

        panel_register(
            Panel(
                "decisions",
                _("Decisions of the mayor's office (督办)"),
                "cityops.decisions.cockpit.compute",
                "decisions/cockpit_panel.html",
                order=40,
            )
        )
