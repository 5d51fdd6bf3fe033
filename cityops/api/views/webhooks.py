"""GET/POST /api/v1/webhooks/: an operator registers and lists its endpoints."""

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
from cityops.api.models import WebhookEndpoint
from cityops.api.webhooks import webhook_endpoint_register
from cityops.core.errors import DomainError
from cityops.registry.models import Organisation


class IsUnitStaff(permissions.BasePermission):
    def has_permission(self, request: Request, view: APIView) -> bool:
        actor = actor_for(request.user)
        return actor.has_role(Role.OPERATOR_STAFF) and bool(actor.organisation_ids)


class WebhookInSerializer(serializers.Serializer[Any]):
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
        rows = WebhookEndpoint.objects.filter(organisation=self._org(request))
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
