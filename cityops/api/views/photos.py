"""GET/POST /api/v1/cases/{number}/photos/: a case's evidence photos; upload (multipart)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from cityops.api.base import ApiView
from cityops.api.photos import MAX_PHOTOS, case_photos_add
from cityops.api.serializers import StrictSerializer
from cityops.api.views.cases import visible_case
from cityops.cases.models import CasePhoto, PhotoKind


class PhotoUploadSerializer(StrictSerializer):
    kind = serializers.ChoiceField(choices=PhotoKind.choices)
    photos = serializers.ListField(
        child=serializers.FileField(), min_length=1, max_length=MAX_PHOTOS,
        help_text="JPEG, PNG or WebP images, checked by content; each at most "
                  "CITYOPS_MAX_IMAGE_BYTES (10 MiB by default).",
    )  # fmt: skip


class PhotoSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    url = serializers.CharField(help_text="the public copy (EXIF removed)")
    thumbnail = serializers.CharField()
    content_type = serializers.CharField()
    width = serializers.IntegerField()
    height = serializers.IntegerField()
    sha256 = serializers.CharField()
    created_at = serializers.DateTimeField()


def _photo(request: Request, photo: CasePhoto) -> dict[str, Any]:
    build = request.build_absolute_uri
    return {
        "id": photo.pk, "kind": photo.kind, "url": build(photo.public.url),
        "thumbnail": build(photo.thumbnail.url), "content_type": photo.content_type,
        "width": photo.width, "height": photo.height, "sha256": photo.sha256,
        "created_at": photo.created_at,
    }  # fmt: skip


class CasePhotosView(ApiView):
    parser_classes = [MultiPartParser]

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        # Uploads are bounded by the image limit (per file) rather than the JSON body limit.
        self.max_body_bytes = settings.CITYOPS_MAX_IMAGE_BYTES * MAX_PHOTOS + 64 * 1024
        super().initial(request, *args, **kwargs)

    @extend_schema(responses=PhotoSerializer(many=True), operation_id="cases_photos_list")
    def get(self, request: Request, number: str) -> Response:
        case = visible_case(request, number)
        photos = CasePhoto.objects.filter(case=case).order_by("created_at", "id")
        return Response(PhotoSerializer([_photo(request, p) for p in photos], many=True).data)

    @extend_schema(
        request={"multipart/form-data": PhotoUploadSerializer},
        responses={201: PhotoSerializer(many=True)},
        operation_id="cases_photos_create",
        description="Add evidence photos to a case (audited). Command centre: any kind; "
        "inspectors: before/verify; the assigned operator's staff: after. Not on closed cases.",
    )
    def post(self, request: Request, number: str) -> Response:
        form = PhotoUploadSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        case = visible_case(request, number)
        stored = case_photos_add(
            case_id=case.pk, actor=request.user, kind=form.validated_data["kind"],
            files=form.validated_data["photos"],
        )  # fmt: skip
        body = PhotoSerializer([_photo(request, p) for p in stored], many=True).data
        return Response(body, status=status.HTTP_201_CREATED)
