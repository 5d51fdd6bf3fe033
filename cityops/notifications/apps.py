from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "cityops.notifications"
    label = "notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        from cityops.core.outbox import channel_register
        from cityops.notifications import phone, services
        from cityops.notifications.models import Delivery, PhoneMessage

        channel_register(
            name=services.OUTBOX_CHANNEL,
            model=Delivery,
            send=services.delivery_send,
            load=services.delivery_load,
        )
        channel_register(
            name=phone.OUTBOX_CHANNEL, model=PhoneMessage, send=phone.phone_message_send
        )
        from cityops.core.keyrotation import BlindIndex, blind_index_register

        blind_index_register(
            BlindIndex("notifications.ContactPoint", "mobile", "mobile_index", "staff_mobile")
        )
