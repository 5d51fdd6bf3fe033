from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class Open311Config(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "cityops.open311"
    verbose_name = _("Open311 GeoReport v2")

    def ready(self) -> None:
        from cityops.core.scheduler import Job, schedule_job_register

        schedule_job_register(Job("open311_intake", "cityops.open311.intake.intake_drain", 30))
        from cityops.cases.retention import reporter_erase_hook_register
        from cityops.open311.retention import open311_reporter_erase

        reporter_erase_hook_register("open311", open311_reporter_erase)
        from cityops.core.metrics import metric_gauge_register
        from cityops.open311.intake import intake_samples

        metric_gauge_register(
            "cityops_open311_intake", "Open311 requests waiting to be filed, oldest wait, failed",
            intake_samples, labels=("what",),
        )  # fmt: skip
        from cityops.core.management.demo_steps import DemoStep, demo_step_register

        demo_step_register(
            DemoStep("open311", _("Open311 demo key"), "cityops.open311.demo.setup_step", order=40)
        )
        from cityops.open311.ratelimit import check_rates

        check_rates()  # a malformed CITYOPS_OPEN311_RATE_* stops the process at start-up

        from cityops.core.edge import channel_register
        from cityops.open311.views import body_limit, edge_error

        channel_register(prefix="/open311/", render=edge_error, max_body=body_limit)

        from django.db.models.signals import post_delete, post_save

        from cityops.cases.models import Category, Question
        from cityops.core.models import Credential
        from cityops.open311.keys import forget_checked_keys
        from cityops.open311.models import ApiKey
        from cityops.open311.selectors import forget_posted_categories

        # The POST's short-lived memories (keys.py, selectors.py) forget what this process edits.
        for signal in (post_save, post_delete):
            for model in (Category, Question):
                signal.connect(forget_posted_categories, sender=model, dispatch_uid="open311-cat")
            signal.connect(forget_checked_keys, sender=ApiKey, dispatch_uid="open311-key")
            signal.connect(forget_checked_keys, sender=Credential, dispatch_uid="open311-cred")

        from cityops.core.credentials import credential_kind_register
        from cityops.open311.keys import OPEN311_KEY

        credential_kind_register(OPEN311_KEY)
