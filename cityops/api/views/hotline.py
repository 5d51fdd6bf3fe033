"""POST /api/v1/hotline/orders/: the 12345 system hands over a work order."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import permissions, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from cityops.accounts.access import actor_for
from cityops.accounts.models import Role
from cityops.api.base import ApiView
from cityops.api.hotline import HotlineOrder, hotline_order_intake
from cityops.api.serializers import HotlineOrderSerializer, HotlineReceiptSerializer


class IsIntakeClerk(permissions.BasePermission):
    """The hotline's system account is an intake clerk (受理员), like the people at 12345."""

    def has_permission(self, request: Request, view: APIView) -> bool:
        return actor_for(request.user).has_role(Role.INTAKE_CLERK)


class HotlineOrderView(ApiView):
    permission_classes = [permissions.IsAuthenticated, IsIntakeClerk]

    @extend_schema(
        request=HotlineOrderSerializer,
        responses={201: HotlineReceiptSerializer, 200: HotlineReceiptSerializer},
        operation_id="hotline_order_create",
    )
    def post(self, request: Request) -> Response:
        form = HotlineOrderSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        case, created = hotline_order_intake(
            order=HotlineOrder(**form.validated_data), actor=request.user
        )
        receipt = {
            "number": case.idempotency_key,
            "case_number": case.number,
            "status": case.status,
            "category": f"{case.category.kind}-{case.category.code}",
        }
        return Response(receipt, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)
