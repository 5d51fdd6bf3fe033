"""Input validation and output shapes of the REST API (also the OpenAPI schema)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from cityops.cases.models import Case, CaseEvent, Source, Urgency
from cityops.core.coords import CoordSys, from_wgs84
from cityops.core.text import printable

COORD_SYS = [c.value for c in CoordSys]


def service_code(kind: str, code: str) -> str:
    return f"{kind}-{code}"


class CoordsMixin(serializers.Serializer[Any]):
    def _xy(self, lon: float, lat: float) -> tuple[float, float]:
        coord_sys = self.context.get("coord_sys", "wgs84")
        x, y = from_wgs84(lon, lat, coord_sys) if coord_sys != "wgs84" else (lon, lat)
        return round(float(x), 6), round(float(y), 6)


class CategoryRefSerializer(serializers.Serializer[Any]):
    service_code = serializers.SerializerMethodField()
    code = serializers.CharField()
    name = serializers.CharField()
    kind = serializers.CharField()

    def get_service_code(self, obj: Any) -> str:
        return service_code(obj.kind, obj.code)


class CaseSerializer(CoordsMixin, serializers.ModelSerializer[Case]):
    """A case as staff see it in lists: reporter data masked, coordinates per ``coord_sys``."""

    category = CategoryRefSerializer()
    lon = serializers.SerializerMethodField()
    lat = serializers.SerializerMethodField()
    coord_sys = serializers.SerializerMethodField()
    assignee = serializers.SerializerMethodField()
    is_overdue = serializers.BooleanField(read_only=True)
    reporter_name = serializers.CharField(source="reporter_name_masked", read_only=True)
    reporter_phone = serializers.CharField(source="reporter_phone_masked", read_only=True)
    url = serializers.SerializerMethodField()

    class Meta:
        model = Case
        fields = [
            "number", "url", "status", "version", "source", "category", "urgency",
            "description", "address", "lon", "lat", "coord_sys", "grid_id", "street_id",
            "community_id", "assignee", "deadline_at", "light", "is_overdue", "reported_at",
            "dispatched_at", "handled_at", "closed_at", "reporter_name", "reporter_phone",
            "verify_by", "verify_light", "urge_count",
        ]  # fmt: skip

    def get_lon(self, obj: Case) -> float:
        return self._xy(obj.lon, obj.lat)[0]

    def get_lat(self, obj: Case) -> float:
        return self._xy(obj.lon, obj.lat)[1]

    def get_coord_sys(self, obj: Case) -> str:
        return str(self.context.get("coord_sys", "wgs84"))

    @extend_schema_field({"type": "object", "nullable": True})
    def get_assignee(self, obj: Case) -> dict[str, Any] | None:
        if obj.assignee_id is None or obj.assignee is None:
            return None
        return {"id": obj.assignee_id, "name": obj.assignee.name}

    def get_url(self, obj: Case) -> str:
        return reverse("api:case-detail", args=[obj.number])


class PublicCaseSerializer(CoordsMixin, serializers.ModelSerializer[Case]):
    """What a resident sees of their own report: no internal fields, no personal data."""

    category = CategoryRefSerializer()
    lon = serializers.SerializerMethodField()
    lat = serializers.SerializerMethodField()

    class Meta:
        model = Case
        fields = ["number", "status", "category", "description", "address", "lon", "lat",
                  "reported_at", "closed_at"]  # fmt: skip

    def get_lon(self, obj: Case) -> float:
        return self._xy(obj.lon, obj.lat)[0]

    def get_lat(self, obj: Case) -> float:
        return self._xy(obj.lon, obj.lat)[1]


class CaseEventSerializer(serializers.ModelSerializer[CaseEvent]):
    actor = serializers.SerializerMethodField()

    class Meta:
        model = CaseEvent
        fields = ["at", "action", "from_status", "to_status", "reason", "actor", "data"]

    def get_actor(self, obj: CaseEvent) -> str:
        return obj.actor.get_username() if obj.actor is not None else ""


class CaseDetailSerializer(CaseSerializer):
    answers = serializers.JSONField(read_only=True)
    events = serializers.SerializerMethodField()
    photos = serializers.SerializerMethodField()
    pending_request = serializers.JSONField(read_only=True)

    class Meta(CaseSerializer.Meta):
        fields = [*CaseSerializer.Meta.fields, "answers", "pending_request", "events", "photos"]

    @extend_schema_field(CaseEventSerializer(many=True))
    def get_events(self, obj: Case) -> list[dict[str, Any]]:
        events = obj.events.select_related("actor").order_by("at", "id")
        return list(CaseEventSerializer(events, many=True).data)

    @extend_schema_field({"type": "array", "items": {"type": "object"}})
    def get_photos(self, obj: Case) -> list[dict[str, Any]]:
        request = self.context.get("request")
        build = request.build_absolute_uri if request is not None else (lambda u: u)
        return [
            {"kind": p.kind, "url": build(p.public.url), "thumbnail": build(p.thumbnail.url)}
            for p in obj.photos.all()
        ]


# Form fields a browser adds on its own (the browsable API's forms), never an API field.
IGNORED_FIELDS = frozenset({"csrfmiddlewaretoken"})


class StrictSerializer(serializers.Serializer[Any]):
    """A request body names only the serializer's fields, each scalar once.

    An unknown field (a typo such as ``reasn``, ``photos`` in a JSON body) or a scalar field
    sent twice in a form (which value did the client mean?) is a 400 naming it, rather than
    silently ignored: what the schema says (``additionalProperties: false``) is what the API
    does, for JSON, urlencoded and multipart bodies alike.
    """

    def to_internal_value(self, data: Any) -> Any:
        if hasattr(data, "keys"):
            errors: dict[str, list[str]] = {}
            for name in sorted(set(data.keys()) - set(self.fields) - IGNORED_FIELDS)[:5]:
                errors[printable(str(name)) or "(empty)"] = [_("Unknown field.")]
            if hasattr(data, "getlist"):
                for name, field in self.fields.items():
                    if not isinstance(field, serializers.ListField) and len(data.getlist(name)) > 1:
                        errors[name] = [_("Sent more than once.")]
                    # A form has no null: the text ``null`` stands for it (as for
                    # ``NullableIntegerField``), so a field that may not be null refuses it.
                    value = data.get(name)
                    if not field.allow_null and isinstance(value, str) and _is_null(value):
                        errors[name] = [_("This field may not be null.")]
            else:
                # JSON: each value has the JSON type the schema gives it (DRF alone would take
                # 7 for "7", "yes" for true); a form's values are all text, parsed per field.
                for name, field in self.fields.items():
                    value = data.get(name)
                    if name in data and value is not None and not _json_type_ok(field, value):
                        errors[name] = [_("Wrong JSON type.")]
            if errors:
                raise serializers.ValidationError(errors)
        return super().to_internal_value(data)


def _is_null(value: str) -> bool:
    return value.strip().lower() == "null"


def _json_type_ok(field: serializers.Field[Any, Any, Any, Any], value: Any) -> bool:
    if isinstance(field, serializers.BooleanField):
        return isinstance(value, bool)
    if isinstance(field, serializers.IntegerField):
        return isinstance(value, int) and not isinstance(value, bool)
    if isinstance(field, serializers.FloatField):
        return isinstance(value, int | float) and not isinstance(value, bool)
    if isinstance(field, serializers.ListField):
        return isinstance(value, list)
    if isinstance(field, serializers.DictField):
        return isinstance(value, dict)
    if isinstance(
        field, serializers.CharField | serializers.ChoiceField | serializers.DateTimeField
    ):
        return isinstance(value, str)
    return True


class CaseCreateSerializer(StrictSerializer):
    source = serializers.ChoiceField(  # type: ignore[assignment]  # "source" is the API's name
        choices=Source.choices, default=Source.INSPECTOR
    )
    category = serializers.CharField(max_length=30, help_text="service code (event-0102) or id")
    lon = serializers.FloatField(min_value=-180, max_value=180)
    lat = serializers.FloatField(min_value=-90, max_value=90)
    coord_sys = serializers.ChoiceField(choices=COORD_SYS, default="wgs84")
    address = serializers.CharField(max_length=200, allow_blank=True, default="")
    description = serializers.CharField(max_length=2000)
    answers = serializers.DictField(required=False, default=dict)
    urgency = serializers.ChoiceField(choices=Urgency.choices, default=Urgency.NORMAL)
    reporter_name = serializers.CharField(max_length=50, allow_blank=True, default="")
    reporter_phone = serializers.CharField(max_length=20, allow_blank=True, default="")


def photo_parts(*, required: bool = False) -> serializers.ListField:
    """``photos``: image file parts of a multipart body (a JSON body has no files, so its
    serializer has no such field and the schema offers it only for multipart)."""
    return serializers.ListField(
        child=serializers.FileField(),
        required=required,
        default=list,
        max_length=9,
        help_text="JPEG, PNG or WebP images, checked by content; each at most "
        "CITYOPS_MAX_IMAGE_BYTES (10 MiB by default).",
    )


class CaseCreateUploadSerializer(CaseCreateSerializer):
    """The multipart form of a report: the same fields plus photos, but no ``answers`` (a form
    has no JSON object; a category with a required question is reported as JSON)."""

    answers = None  # type: ignore[assignment]  # DRF: None removes the parent's field
    photos = photo_parts()


class NullableIntegerField(serializers.IntegerField):
    """A multipart body cannot carry JSON ``null``: there the text ``null`` means none."""

    def validate_empty_values(self, data: Any) -> tuple[bool, Any]:
        if self.allow_null and isinstance(data, str) and data.strip().lower() == "null":
            data = None
        return super().validate_empty_values(data)


class NullableDateTimeField(serializers.DateTimeField):
    """As ``NullableIntegerField``: in a multipart body the text ``null`` means none."""

    def validate_empty_values(self, data: Any) -> tuple[bool, Any]:
        if self.allow_null and isinstance(data, str) and data.strip().lower() == "null":
            data = None
        return super().validate_empty_values(data)


class ActionSerializer(StrictSerializer):
    reason = serializers.CharField(max_length=2000, allow_blank=True, default="")
    note = serializers.CharField(max_length=2000, allow_blank=True, default="")
    unit = NullableIntegerField(required=False, allow_null=True, default=None)
    new_deadline = NullableDateTimeField(required=False, allow_null=True, default=None)
    condition_met = serializers.BooleanField(required=False, default=False)
    # handle: publish a reply to the reporter (``public_reply``, empty: the note).
    publish_reply = serializers.BooleanField(required=False, default=False)
    public_reply = serializers.CharField(max_length=2000, allow_blank=True, default="")
    into = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
    category = serializers.CharField(max_length=30, required=False, allow_blank=True, default="")
    expected_version = NullableIntegerField(required=False, allow_null=True, default=None)


class ActionUploadSerializer(ActionSerializer):
    """The multipart form of an action: the same fields plus photos (handle, verify, rework)."""

    photos = photo_parts()


class HotlineOrderSerializer(StrictSerializer):
    number = serializers.CharField(max_length=60, help_text="The hotline's own work-order number")
    caller_name = serializers.CharField(max_length=50, allow_blank=True, default="")
    caller_phone = serializers.CharField(max_length=20, allow_blank=True, default="")
    content = serializers.CharField(max_length=2000)
    address = serializers.CharField(max_length=200, allow_blank=True, default="")
    lon = serializers.FloatField(required=False, allow_null=True, default=None)
    lat = serializers.FloatField(required=False, allow_null=True, default=None)
    coord_sys = serializers.ChoiceField(choices=COORD_SYS, default="wgs84")
    category_text = serializers.CharField(max_length=100, allow_blank=True, default="")
    urgency = serializers.ChoiceField(choices=Urgency.choices, default=Urgency.NORMAL)


class HotlineReceiptSerializer(serializers.Serializer[Any]):
    number = serializers.CharField()
    case_number = serializers.CharField()
    status = serializers.CharField()
    category = serializers.CharField()


class CasePageSerializer(serializers.Serializer[Any]):
    """One cursor page of cases."""

    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = CaseSerializer(many=True)
