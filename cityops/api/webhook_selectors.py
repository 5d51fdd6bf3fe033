"""Reads of webhook endpoints and deliveries, scoped by the acting user (REST and console).

Operator staff see their own organisations' endpoints and deliveries; bureau supervisors and
system administrators see every operator's. Anything else is unknown to the user: the
``access_*`` helpers answer 404 (``NotFound``), never 403, for records out of scope.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from cityops.accounts.access import Actor, actor_for
from cityops.accounts.models import Role
from cityops.api.models import WebhookDelivery, WebhookEndpoint
from cityops.core.errors import NotFound
from cityops.core.models import OutboxStatus
from cityops.registry.models import Organisation, OrganisationKind


def _sees_all(actor: Actor) -> bool:
    return actor.has_role(Role.BUREAU_SUPERVISOR, Role.SYSTEM_ADMIN)


def may_manage_webhooks(user: Any) -> bool:
    """Operator staff of some unit, bureau supervisors and system administrators."""
    actor = actor_for(user)
    if _sees_all(actor):
        return True
    return actor.has_role(Role.OPERATOR_STAFF) and bool(actor.organisation_ids)


def webhook_organisations(*, user: Any) -> QuerySet[Organisation]:
    """The organisations whose endpoints the user may see and register."""
    actor = actor_for(user)
    if _sees_all(actor):
        return Organisation.objects.filter(kind=OrganisationKind.OPERATOR, active=True)
    if not actor.has_role(Role.OPERATOR_STAFF):
        return Organisation.objects.none()
    return Organisation.objects.filter(pk__in=actor.organisation_ids)


def webhook_endpoints_visible(*, user: Any) -> QuerySet[WebhookEndpoint]:
    actor = actor_for(user)
    rows = WebhookEndpoint.objects.select_related("organisation")
    if _sees_all(actor):
        return rows
    if not actor.has_role(Role.OPERATOR_STAFF):
        return rows.none()
    return rows.filter(organisation_id__in=actor.organisation_ids)


def webhook_deliveries_visible(*, user: Any, status: str = "") -> QuerySet[WebhookDelivery]:
    """Deliveries to the endpoints the user sees, newest first; optionally of one status."""
    rows = WebhookDelivery.objects.filter(
        endpoint__in=webhook_endpoints_visible(user=user).values("pk")
    )
    if status in OutboxStatus.values:
        rows = rows.filter(status=status)
    return rows.select_related("endpoint").order_by("-created_at", "-id")


def access_endpoint(*, endpoint_id: int, user: Any) -> WebhookEndpoint:
    endpoint = webhook_endpoints_visible(user=user).filter(pk=endpoint_id).first()
    if endpoint is None:
        raise NotFound(_("Webhook endpoint not found."))
    return endpoint


def access_delivery(*, delivery_id: int, user: Any) -> WebhookDelivery:
    delivery = webhook_deliveries_visible(user=user).filter(pk=delivery_id).first()
    if delivery is None:
        raise NotFound(_("Delivery not found."))
    return delivery
