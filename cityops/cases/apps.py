from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _search_index_ensure(sender: Any, using: str = "default", **kwargs: Any) -> None:
    """SQLite drops the text search's triggers when a migration rebuilds the case table."""
    from django.db import connections

    from cityops.cases.search import index_ensure

    conn = connections[using]
    if conn.vendor == "sqlite" and "cases_case" in conn.introspection.table_names():
        index_ensure(conn)


class CasesConfig(AppConfig):
    name = "cityops.cases"
    label = "cases"
    verbose_name = _("Cases")

    def ready(self) -> None:
        post_migrate.connect(_search_index_ensure, sender=self)
        from cityops.core.scheduler import Job, schedule_job_register

        schedule_job_register(Job("sla_scan", "cityops.cases.sla.sla_scan", 60))
        schedule_job_register(Job("case_reminders", "cityops.cases.reminders.reminders_send", 300))
        schedule_job_register(
            Job("reporter_retention", "cityops.cases.retention.reporter_retention_job", 86400)
        )
        from cityops.cases.selectors import open_cases_by_light
        from cityops.core.metrics import metric_gauge_register

        metric_gauge_register(
            "cityops_open_cases", "Open cases by traffic light", open_cases_by_light,
            labels=("light",),
        )  # fmt: skip
        from cityops.core.management.demo_steps import (
            DemoStep,
            demo_delete_hook_register,
            demo_step_register,
        )

        demo_step_register(
            DemoStep(
                "history", _("case history"), "cityops.cases.history.demo.history_step", order=50
            )
        )
        demo_delete_hook_register("cityops.cases.history.demo.delete_hook", order=10)
        from cityops.core.keyrotation import BlindIndex, blind_index_register

        blind_index_register(
            BlindIndex(
                model="cases.Case",
                source="reporter_phone",
                index="reporter_phone_index",
                purpose="case_reporter_phone",
            )
        )
