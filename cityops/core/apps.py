from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "cityops.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from cityops.core import checks  # noqa: F401  (registers the deployment check)
        from cityops.core.scheduler import Job, schedule_job_register

        schedule_job_register(
            Job("task_results_prune", "cityops.core.maintenance.task_results_prune", 86_400)
        )
        schedule_job_register(Job("workers_reap", "cityops.core.workers.workers_reap", 60))
        # One retry job for every delivery channel (notifications, SMS, webhooks).
        schedule_job_register(Job("outbox_retry", "cityops.core.outbox.outbox_retry", 120))
        from cityops.core.metrics import metric_gauge_register, task_queue_samples

        metric_gauge_register(
            "cityops_task_queue", "Background tasks ready to run: depth and oldest age",
            task_queue_samples, labels=("queue", "what"),
        )  # fmt: skip
