from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "cityops.notifications"
    label = "notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        from cityops.core.scheduler import Job, schedule_job_register

        schedule_job_register(
            Job("notifications_retry", "cityops.notifications.services.deliveries_retry", 120)
        )
        schedule_job_register(
            Job("phone_messages_retry", "cityops.notifications.phone.phone_messages_retry", 120)
        )
