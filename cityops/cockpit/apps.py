from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CockpitConfig(AppConfig):
    name = "cityops.cockpit"
    label = "cockpit"
    verbose_name = _("Leaders' cockpit")

    def ready(self) -> None:
        from cityops.cockpit.panels import register_builtin_panels
        from cityops.core.management.demo_steps import DemoStep, demo_step_register
        from cityops.core.scheduler import Job, schedule_job_register

        register_builtin_panels()
        # ◐ every 5 minutes: the page reads the latest snapshot only (never the case table).
        schedule_job_register(Job("cockpit_refresh", "cityops.cockpit.refresh.refresh_job", 300))
        demo_step_register(
            DemoStep(
                "cockpit",
                _("leaders' cockpit figures"),
                "cityops.cockpit.refresh.demo_step",
                order=100,
            )
        )
