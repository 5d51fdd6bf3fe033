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
        # ◐ every minute: the shortest alarm duration (overspeed, off plan) is 60 s.
        schedule_job_register(
            Job("vehicle_alarms", "cityops.vehicles.services_alarms.alarms_evaluate", 60)
        )
        from cityops.evaluations.interfaces import measure_source_register
        from cityops.evaluations.runs.explain import step_template_register

        measure_source_register("vehicles.coverage", "cityops.vehicles.measures.coverage_measures")
        measure_source_register("vehicles.alarms", "cityops.vehicles.measures.alarm_measures")
        step_template_register(
            "vehicles.mechanised",
            _(
                "Mechanised work from the vehicle tracks: %(done)s of %(planned)s planned passes"
                " = %(rate)s %%; target %(target)s %% → %(short)s point(s) short."
            ),
        )
        step_template_register(
            "vehicles.collection",
            _(
                "Collection points from the vehicle tracks: %(missed)s of %(total)s point-days"
                " missed."
            ),
        )
        step_template_register(
            "vehicles.alarms",
            _("Vehicle alarms raised from the tracks this month: %(count)s (%(kinds)s)."),
        )
