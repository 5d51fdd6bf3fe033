"""GET/POST /api/v1/webhooks/: an operator registers and lists its endpoints; its delivery log
(GET webhooks/deliveries/) and manual redelivery (POST webhooks/deliveries/{id}/redeliver/)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from cityops.accounts.access import actor_for
from cityops.accounts.models import Role
from cityops.api.base import ApiView
from cityops.api.models import WebhookDelivery
from cityops.api.serializers import StrictSerializer
from cityops.api.webhook_selectors import (
    access_delivery,
    webhook_deliveries_visible,
    webhook_endpoints_visible,
)
from cityops.api.webhooks import webhook_endpoint_register, webhook_redeliver
from cityops.core.errors import DomainError
from cityops.registry.models import Organisation


class IsUnitStaff(permissions.BasePermission):
    def has_permission(self, request: Request, view: APIView) -> bool:
        actor = actor_for(request.user)
        return actor.has_role(Role.OPERATOR_STAFF) and bool(actor.organisation_ids)


class WebhookInSerializer(StrictSerializer):
    url = serializers.CharField(max_length=500)


class WebhookOutSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    url = serializers.CharField()
    active = serializers.BooleanField()
    secret = serializers.CharField(required=False, help_text="only in the answer to the POST")


class WebhookListView(ApiView):
    permission_classes = [permissions.IsAuthenticated, IsUnitStaff]

    def _org(self, request: Request) -> Organisation:
        ids = sorted(actor_for(request.user).organisation_ids)
        org = Organisation.objects.filter(pk__in=ids).order_by("pk").first()
        if org is None:
            raise DomainError(_("Your account belongs to no unit."))
        return org

    @extend_schema(responses=WebhookOutSerializer(many=True), operation_id="webhooks_list")
    def get(self, request: Request) -> Response:
        rows = webhook_endpoints_visible(user=request.user).order_by("organisation", "url")
        return Response([{"id": e.pk, "url": e.url, "active": e.active} for e in rows])

    @extend_schema(
        request=WebhookInSerializer,
        responses={201: WebhookOutSerializer},
        operation_id="webhooks_create",
    )
    def post(self, request: Request) -> Response:
        form = WebhookInSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        endpoint, secret = webhook_endpoint_register(
            organisation=self._org(request), url=form.validated_data["url"], actor=request.user
        )
        body = {"id": endpoint.pk, "url": endpoint.url, "active": True, "secret": secret}
        return Response(body, status=status.HTTP_201_CREATED)


class DeliveryOutSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    endpoint = serializers.IntegerField()
    event = serializers.CharField()
    status = serializers.CharField()
    attempts = serializers.IntegerField()
    last_status_code = serializers.IntegerField(allow_null=True)
    last_error = serializers.CharField()
    next_attempt_at = serializers.DateTimeField(allow_null=True)
    delivered_at = serializers.DateTimeField(allow_null=True)
    created_at = serializers.DateTimeField()


def _delivery(d: WebhookDelivery) -> dict[str, Any]:
    return {
        "id": d.pk, "endpoint": d.endpoint_id, "event": d.event, "status": d.status,
        "attempts": d.attempts, "last_status_code": d.last_status_code,
        "last_error": d.last_error, "next_attempt_at": d.next_attempt_at,
        "delivered_at": d.sent_at, "created_at": d.created_at,
    }  # fmt: skip


class DeliveryListView(ApiView):
    """The unit's delivery log: the latest 100 deliveries, newest first."""

    permission_classes = [permissions.IsAuthenticated, IsUnitStaff]

    @extend_schema(responses=DeliveryOutSerializer(many=True), operation_id="webhook_deliveries")
    def get(self, request: Request) -> Response:
        rows = webhook_deliveries_visible(user=request.user)[:100]
        return Response([_delivery(d) for d in rows])


class DeliveryRedeliverView(ApiView):
    permission_classes = [permissions.IsAuthenticated, IsUnitStaff]

    @extend_schema(
        request=None,
        responses={202: DeliveryOutSerializer},
        operation_id="webhook_delivery_redeliver",
        description="Send a delivery again (a fresh round of attempts; audited).",
    )
    def post(self, request: Request, delivery_id: int) -> Response:
        access_delivery(delivery_id=delivery_id, user=request.user)  # 404 out of scope
        webhook_redeliver(delivery_id=delivery_id, actor=request.user)
        delivery = WebhookDelivery.objects.get(pk=delivery_id)
        return Response(_delivery(delivery), status=status.HTTP_202_ACCEPTED)
