"""Back office: administrators issue and revoke Open311 API keys (the plaintext shows once)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cityops.open311.keys import key_create, key_revoke
from cityops.open311.models import ApiKey, Open311Request


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin[ApiKey]):
    list_display = ("name", "organisation", "prefix", "active", "created_at", "revoked_at",
                    "last_used_at")  # fmt: skip
    list_filter = ("active",)
    search_fields = ("name", "prefix")
    fields = ("name", "organisation", "prefix", "active", "created_at", "revoked_at",
              "last_used_at")  # fmt: skip
    readonly_fields = ("prefix", "active", "created_at", "revoked_at", "last_used_at")
    actions = ["revoke"]

    def save_model(self, request: HttpRequest, obj: ApiKey, form: Any, change: bool) -> None:
        if change:
            obj.save(update_fields=["name", "organisation", "updated_at"])
            return
        key, secret = key_create(name=obj.name, organisation=obj.organisation, actor=request.user)
        obj.pk, obj.prefix, obj.key_hash = key.pk, key.prefix, key.key_hash
        obj._state.adding = False
        messages.warning(
            request,
            _("The new API key is %(key)s — copy it now, it is not shown again.") % {"key": secret},
        )

    @admin.action(description=gettext_lazy("Revoke the selected keys"))
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiKey]) -> None:
        for key in queryset:
            key_revoke(key_id=key.pk, actor=request.user)
        self.message_user(request, _("%(n)d key(s) revoked.") % {"n": queryset.count()})


@admin.register(Open311Request)
class Open311RequestAdmin(admin.ModelAdmin[Open311Request]):
    list_display = ("number", "token", "status", "case", "api_key", "created_at")
    list_filter = ("status",)
    search_fields = ("=number", "=token")
    fields = ("number", "status", "case", "error", "api_key", "token", "device_id", "account_id",
              "media_url", "created_at")  # fmt: skip
    readonly_fields = fields
    list_select_related = ("case", "api_key")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
