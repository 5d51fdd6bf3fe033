from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VehiclesConfig(AppConfig):
    name = "cityops.vehicles"
    label = "vehicles"
    verbose_name = _("Vehicles")

    def ready(self) -> None:
        from cityops.core.management.demo_steps import (
            DemoStep,
            demo_delete_hook_register,
            demo_step_register,
        )
        from cityops.core.scheduler import Job, schedule_job_register

        demo_step_register(
            DemoStep(
                "vehicles",
                _("sanitation vehicles with JT/T 808 terminals and their work plans"),
                "cityops.vehicles.demo.vehicles_step",
                order=75,
            )
        )
        demo_delete_hook_register("cityops.vehicles.demo.delete_hook", order=5)

        schedule_job_register(
            Job(
                "vehicle_positions_maintain", "cityops.vehicles.positions.positions_maintain", 86400
            )
        )
        schedule_job_register(
            Job("vehicle_coverage", "cityops.vehicles.services.coverage_compute_day", 3600)
        )
