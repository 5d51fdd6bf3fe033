from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PublicConfig(AppConfig):
    name = "cityops.public"
    verbose_name = _("Residents' pages")

    def ready(self) -> None:
        from cityops.cases.signals import case_notice
        from cityops.core.outbox import channel_register
        from cityops.evaluations.interfaces import feedback_source_register
        from cityops.public import subscriptions
        from cityops.public.models import SubscriptionMail

        channel_register(
            name=subscriptions.OUTBOX_CHANNEL,
            model=SubscriptionMail,
            send=subscriptions.subscription_mail_send,
        )
        # The evaluation (a domain app below this one) reads residents' feedback only through
        # this source.
        feedback_source_register("cityops.public.sources.monthly_feedback")
        case_notice.connect(
            subscriptions.on_case_notice, dispatch_uid="cityops.public.subscriptions"
        )
