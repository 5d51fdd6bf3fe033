from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvaluationsConfig(AppConfig):
    name = "cityops.evaluations"
    label = "evaluations"
    verbose_name = _("Evaluations")

    def ready(self) -> None:
        from cityops.core.management.demo_steps import DemoStep, demo_step_register

        demo_step_register(
            DemoStep(
                "evaluations",
                _("monthly evaluation: two months run, one published, an open appeal"),
                "cityops.evaluations.demo_run.evaluations_step",
                order=80,
            )
        )
