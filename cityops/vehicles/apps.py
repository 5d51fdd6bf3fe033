from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VehiclesConfig(AppConfig):
    name = "cityops.vehicles"
    label = "vehicles"
    verbose_name = _("Vehicles")

    def ready(self) -> None:
        from cityops.core.scheduler import Job, schedule_job_register

        schedule_job_register(
            Job(
                "vehicle_positions_maintain", "cityops.vehicles.positions.positions_maintain", 86400
            )
        )
        schedule_job_register(
            Job("vehicle_coverage", "cityops.vehicles.services.coverage_compute_day", 3600)
        )
