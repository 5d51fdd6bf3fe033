"""Back office: administrators issue and revoke Open311 API keys (the plaintext shows once)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cityops.open311.keys import key_create, key_revoke
from cityops.open311.models import ApiKey, Open311Request


class ApiKeyForm(forms.ModelForm[ApiKey]):
    """Add: a name (kept on the key's ``core.Credential``) and the application's organisation."""

    name = forms.CharField(label=gettext_lazy("name"), max_length=100)

    class Meta:
        model = ApiKey
        fields = ("organisation",)


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin[ApiKey]):
    list_display = ("name", "organisation", "prefix", "active", "created_at", "revoked_at",
                    "last_used_at")  # fmt: skip
    list_filter = (("credential__revoked_at", admin.EmptyFieldListFilter),)
    list_select_related = ("credential", "organisation")
    search_fields = ("credential__name", "credential__prefix")
    form = ApiKeyForm
    actions = ["revoke"]

    def get_fields(self, request: HttpRequest, obj: ApiKey | None = None) -> Any:
        if obj is None:
            return ("name", "organisation")
        return ("name", "organisation", "prefix", "active", "created_at", "revoked_at",
                "last_used_at")  # fmt: skip

    def get_readonly_fields(self, request: HttpRequest, obj: ApiKey | None = None) -> Any:
        return () if obj is None else self.get_fields(request, obj)

    def save_model(self, request: HttpRequest, obj: ApiKey, form: Any, change: bool) -> None:
        if change:
            return
        key, secret = key_create(
            name=form.cleaned_data["name"], organisation=obj.organisation, actor=request.user
        )
        obj.pk, obj.credential, obj.created_at = key.pk, key.credential, key.created_at
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
