from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EstatesConfig(AppConfig):
    name = "cityops.estates"
    label = "estates"
    verbose_name = _("Property management")

    def ready(self) -> None:
        from cityops.core.scheduler import Job, schedule_job_register

        # The monthly credit update runs daily and recomputes the previous month (idempotent).
        schedule_job_register(
            Job("estates_advance", "cityops.estates.services.votes.proposals_advance", 300)
        )
        schedule_job_register(
            Job("credit_from_cases", "cityops.estates.tasks.credit_from_cases_task", 86_400)
        )
        from cityops.core.management.demo_steps import (
            DemoStep,
            demo_delete_hook_register,
            demo_step_register,
            demo_table_register,
        )
        from cityops.estates.demo_credit import STEP_DESCRIPTION as CREDIT_STEP

        demo_step_register(
            DemoStep(
                "estates", _("property management"), "cityops.estates.demo.setup_step", order=30
            )
        )
        demo_step_register(
            DemoStep(
                "estates_credit", CREDIT_STEP, "cityops.estates.demo_credit.credit_step", order=60
            )
        )
        demo_delete_hook_register("cityops.estates.demo.delete_hook", order=20)
        # Right after the staff logins (accounts, order 10): the demo owners.
        demo_table_register("cityops.estates.demo.owner_logins_table", order=11)
        from cityops.core.keyrotation import BlindIndex, blind_index_register
        from cityops.estates.models.register import ID_INDEX_PURPOSE

        blind_index_register(BlindIndex("estates.Owner", "id_number", "id_index", ID_INDEX_PURPOSE))
