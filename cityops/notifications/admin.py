from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.forms import ModelForm, TextInput
from django.http import HttpRequest

from cityops.notifications.models import ContactPoint, Delivery, Notification
from cityops.notifications.services import contact_point_set


class DeliveryInline(admin.TabularInline[Delivery, Notification]):
    model = Delivery
    extra = 0
    can_delete = False
    readonly_fields = ["channel", "status", "attempts", "last_error", "created_at", "sent_at"]


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin[Notification]):
    list_display = ["created_at", "recipient", "code", "title", "read_at"]
    list_filter = ["code", "in_inbox"]
    search_fields = ["title", "code", "recipient__username"]
    raw_id_fields = ["recipient"]
    inlines = [DeliveryInline]


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin[Delivery]):
    list_display = ["created_at", "notification", "channel", "status", "attempts", "sent_at"]
    list_filter = ["status", "channel"]
    raw_id_fields = ["notification"]
    readonly_fields = ["last_error"]


@admin.register(ContactPoint)
class ContactPointAdmin(admin.ModelAdmin[ContactPoint]):
    # The mobile number is personal data: not listed, not searchable (it is encrypted).
    list_display = ["user", "language", "sms_enabled", "email_enabled"]
    raw_id_fields = ["user"]
    exclude = ["mobile_index"]

    def get_form(
        self,
        request: HttpRequest,
        obj: ContactPoint | None = None,
        change: bool = False,
        **kwargs: Any,
    ) -> type[ModelForm[ContactPoint]]:
        kwargs.setdefault("widgets", {})["mobile"] = TextInput()
        return super().get_form(request, obj, change, **kwargs)

    def save_model(
        self, request: HttpRequest, obj: ContactPoint, form: ModelForm[ContactPoint], change: bool
    ) -> None:
        # Through the service: it keeps the blind index in step and writes the audit event.
        saved = contact_point_set(
            user=obj.user,
            actor=request.user,
            mobile=obj.mobile,
            language=obj.language,
            sms_enabled=obj.sms_enabled,
            email_enabled=obj.email_enabled,
        )
        obj.pk = saved.pk
