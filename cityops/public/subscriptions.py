"""Community subscriptions: follow the new and closed public reports of a community.

``subscription_request`` stores an unconfirmed subscription and sends the confirmation link
(double opt-in); ``subscription_confirm`` / ``subscription_cancel`` act on signed tokens
(``django.core.signing``, salted per purpose, no expiry for the unsubscribe link). The cases
app's ``case_notice`` signal tells when a case becomes public (``case.accept``) or closes
(``case.close``); ``on_case_notice`` queues one message per confirmed subscriber after the
commit: SMS through ``notifications.phone``, e-mail through the ``subscription_mail`` outbox
channel (retries by the one outbox job).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, override

from cityops.cases.models import Case
from cityops.cases.signals import NoticedCase
from cityops.core.audit import audit_record
from cityops.core.crypto import blind_index, decrypt_str, encrypt_str
from cityops.core.errors import DomainError, NotFound
from cityops.core.models import OutboxStatus
from cityops.core.ormfast import first_where
from cityops.core.outbox import Outcome, outbox_enqueue
from cityops.notifications.phone import phone_message_queue
from cityops.public.models import Subscription, SubscriptionChannel, SubscriptionMail
from cityops.registry.models import Community

OUTBOX_CHANNEL = "subscription_mail"
SALT = {
    "confirm": "cityops.public.subscription.confirm",
    "stop": "cityops.public.subscription.stop",
}
CONFIRM_MAX_AGE = 7 * 24 * 3600  # a confirmation link works for a week

EVENTS = {
    "case.accept": ("on_new", gettext_lazy("New report {number} in {community}: {category}")),
    "case.close": ("on_closed", gettext_lazy("Report {number} in {community} was closed")),
}


def site_url(path: str) -> str:
    return settings.CITYOPS_SITE_URL.rstrip("/") + path


def subscription_token(subscription: Subscription, purpose: str) -> str:
    return signing.dumps({"s": subscription.pk}, salt=SALT[purpose])


def _from_token(token: str, purpose: str) -> Subscription:
    try:
        data = signing.loads(
            token, salt=SALT[purpose], max_age=CONFIRM_MAX_AGE if purpose == "confirm" else None
        )
        found = Subscription.objects.filter(pk=int(data["s"])).first()
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        found = None
    if found is None:
        raise NotFound(_("This link is not valid (any more)."))
    return found


def _send(subscription: Subscription, *, subject: str, text: str, key: str) -> None:
    """One message to one subscriber, after the commit, at most once per ``key``."""
    stop = site_url(reverse("public:unsubscribe", args=[subscription_token(subscription, "stop")]))
    with override(settings.LANGUAGE_CODE):
        footer = _("Stop these messages: %(link)s") % {"link": stop}
    if subscription.channel == SubscriptionChannel.SMS:
        phone_message_queue(
            phone_token=encrypt_str(subscription.address),
            text=f"{subject} {text} {footer}".strip(),
            dedupe_key=f"sub:{key}",
            target=subscription,
        )
        return
    mail, created = SubscriptionMail.objects.get_or_create(
        dedupe_key=f"sub:{key}"[:200],
        defaults={
            "address_token": encrypt_str(subscription.address),
            "subject": subject[:200],
            "body": f"{text}\n\n{footer}".strip(),
        },
    )
    if created:
        outbox_enqueue(channel=OUTBOX_CHANNEL, delivery_id=mail.pk)


def subscription_request(
    *, community: Community, channel: str, address: str, on_new: bool, on_closed: bool
) -> Subscription:
    """Store (or refresh) an unconfirmed subscription and send the confirmation link."""
    address = address.strip()
    if channel not in SubscriptionChannel.values or not address:
        raise DomainError(_("Give an e-mail address or a phone number."), field="address")
    if not (on_new or on_closed):
        raise DomainError(_("Choose new reports, closed reports or both."), field="on_new")
    index = blind_index(f"{channel}:{address}", purpose="public_subscription")
    with transaction.atomic():
        try:
            sub, _created = Subscription.objects.update_or_create(
                community=community,
                address_index=index,
                defaults={"channel": channel, "address": address, "on_new": on_new,
                          "on_closed": on_closed},
            )  # fmt: skip
        except IntegrityError:  # a concurrent request for the same address: theirs stands
            sub = Subscription.objects.get(community=community, address_index=index)
        audit_record(
            code="public.subscription.requested",
            target=sub,
            summary=str(community),
            data={"channel": channel, "new": on_new, "closed": on_closed},
        )
        token = subscription_token(sub, "confirm")
        link = site_url(reverse("public:subscribe-confirm", args=[token]))
        with override(settings.LANGUAGE_CODE):
            subject = _("Confirm your subscription to the reports of %(c)s") % {"c": community}
            text = _("Open this link to start receiving messages: %(link)s") % {"link": link}
        # Each request sends its own confirmation (the key carries the moment).
        key = f"{sub.pk}:confirm:{timezone.now():%Y%m%d%H%M%S%f}"
        _send(sub, subject=subject, text=text, key=key)
    return sub


def subscription_confirm(*, token: str) -> Subscription:
    sub = _from_token(token, "confirm")
    if sub.confirmed_at is None:
        with transaction.atomic():
            sub.confirmed_at = timezone.now()
            sub.save(update_fields=["confirmed_at"])
            audit_record(code="public.subscription.confirmed", target=sub, summary=str(sub))
    return sub


def subscription_cancel(*, token: str) -> None:
    sub = _from_token(token, "stop")
    with transaction.atomic():
        audit_record(code="public.subscription.cancelled", target=sub, summary=str(sub))
        sub.delete()


def on_case_notice(sender: Any, cases: Sequence[NoticedCase], code: str, **kwargs: Any) -> None:
    """``cases.signals.case_notice`` receiver (sent inside the change's transaction)."""
    if code not in EVENTS:
        return
    for case in cases:
        if case.community_id is not None:
            notify = partial(
                subscriptions_notify, case_id=case.pk, code=code, community_id=case.community_id
            )
            transaction.on_commit(notify, robust=True)


# Whether anyone follows a community's reports of each kind: one SELECT built once per flag
# (``first_where``). Every accepted case asks it after its commit, and most communities have
# no subscriber: then neither the case is read nor a transaction opened.
_FOLLOWED = {
    flag: f'"community_id" = %s AND "confirmed_at" IS NOT NULL AND "{flag}"'
    for flag, _template in EVENTS.values()
}


def subscriptions_notify(*, case_id: int, code: str, community_id: int | None = None) -> int:
    """Queue the message of ``code`` about the case to every confirmed subscriber.

    ``community_id``: the case's community when the change was noticed; without a confirmed
    subscriber there, nothing is queued.
    """
    flag, template = EVENTS[code]
    if (
        community_id is not None
        and first_where(Subscription, _FOLLOWED[flag], [community_id]) is None
    ):
        return 0
    case = Case.objects.select_related("category", "community").filter(pk=case_id).first()
    if case is None or case.community is None:
        return 0
    subs = Subscription.objects.filter(
        community=case.community, confirmed_at__isnull=False, **{flag: True}
    )
    link = site_url(reverse("public:case-detail", args=[case.number]))
    with override(settings.LANGUAGE_CODE):
        subject = str(
            format_lazy(
                template, number=case.number, community=case.community, category=case.category.name
            )
        )
    sent = 0
    with transaction.atomic():
        for sub in subs:
            _send(sub, subject=subject, text=link, key=f"{sub.pk}:{code}:{case.pk}")
            sent += 1
    return sent


def subscription_mail_send(mail: SubscriptionMail) -> Outcome:
    """The ``subscription_mail`` outbox channel's sender (a failure raises: retried)."""
    send_mail(
        mail.subject,
        mail.body,
        settings.DEFAULT_FROM_EMAIL,
        [decrypt_str(mail.address_token)],
        fail_silently=False,
    )
    return Outcome(OutboxStatus.SENT)
