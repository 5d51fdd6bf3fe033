"""Back office: REST API tokens (issued, revoked) and the hotline category mapping."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cityops.api.models import ApiToken, HotlineCategoryRule, WebhookDelivery, WebhookEndpoint
from cityops.api.tokens import api_token_create, api_token_revoke
from cityops.api.webhooks import webhook_endpoint_register, webhook_redeliver, webhook_url_check
from cityops.core.audit import audit_record
from cityops.core.errors import DomainError


class ApiTokenForm(forms.ModelForm[ApiToken]):
    """Add: a name and the account the token acts as (both kept on its ``core.Credential``)."""

    name = forms.CharField(label=gettext_lazy("name"), max_length=100)
    user = forms.ModelChoiceField(
        label=gettext_lazy("acts as"), queryset=get_user_model().objects.filter(is_active=True)
    )

    class Meta:
        model = ApiToken
        fields: tuple[str, ...] = ()


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin[ApiToken]):
    list_display = ("name", "user", "organisation", "prefix", "active", "created_at",
                    "revoked_at", "last_used_at")  # fmt: skip
    list_filter = (("credential__revoked_at", admin.EmptyFieldListFilter),)
    list_select_related = ("credential__owner", "organisation")
    search_fields = ("credential__name", "credential__prefix", "credential__owner__username")
    form = ApiTokenForm
    actions = ["revoke"]

    def get_fields(self, request: HttpRequest, obj: ApiToken | None = None) -> Any:
        if obj is None:
            return ("name", "user")
        return ("name", "user", "organisation", "prefix", "active", "created_at", "revoked_at",
                "last_used_at")  # fmt: skip

    def get_readonly_fields(self, request: HttpRequest, obj: ApiToken | None = None) -> Any:
        return () if obj is None else self.get_fields(request, obj)

    def save_model(self, request: HttpRequest, obj: ApiToken, form: Any, change: bool) -> None:
        if change:
            return
        data = form.cleaned_data
        token, secret = api_token_create(name=data["name"], user=data["user"], actor=request.user)
        obj.pk, obj.credential, obj.organisation_id = (
            token.pk,
            token.credential,
            token.organisation_id,
        )
        obj.created_at = token.created_at
        obj._state.adding = False
        messages.warning(
            request,
            _("The new API token is %(key)s — copy it now, it is not shown again.")
            % {"key": secret},
        )

    @admin.action(description=gettext_lazy("Revoke the selected tokens"))
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        for token in queryset:
            api_token_revoke(token_id=token.pk, actor=request.user)
        self.message_user(request, _("%(n)d token(s) revoked.") % {"n": queryset.count()})


@admin.register(HotlineCategoryRule)
class HotlineCategoryRuleAdmin(admin.ModelAdmin[HotlineCategoryRule]):
    list_display = ("keyword", "category", "order")
    list_editable = ("order",)
    autocomplete_fields = ("category",)


class WebhookEndpointForm(forms.ModelForm[WebhookEndpoint]):
    url = forms.URLField(label=gettext_lazy("URL"), max_length=500, assume_scheme="https")

    def clean_url(self) -> str:
        try:
            return webhook_url_check(str(self.cleaned_data.get("url") or ""))
        except DomainError as exc:  # the SSRF guard's reason, on the field
            raise forms.ValidationError(str(exc.message)) from None


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin[WebhookEndpoint]):
    form = WebhookEndpointForm
    list_display = ("url", "organisation", "active", "created_at")
    list_filter = ("active",)
    fields = ("organisation", "url", "active")

    def save_model(
        self, request: HttpRequest, obj: WebhookEndpoint, form: Any, change: bool
    ) -> None:
        if change:
            with transaction.atomic():
                obj.save(update_fields=["url", "active", "updated_at"])
                audit_record(code="webhook.endpoint.changed", target=obj, actor=request.user,
                             summary=f"{obj.url} active={obj.active}")  # fmt: skip
            return
        endpoint, secret = webhook_endpoint_register(
            organisation=obj.organisation, url=obj.url, actor=request.user
        )
        obj.pk, obj.secret = endpoint.pk, endpoint.secret
        obj._state.adding = False
        messages.warning(
            request,
            _("The signing secret is %(key)s — copy it now, it is not shown again.")
            % {"key": secret},
        )


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin[WebhookDelivery]):
    """The delivery log; *Redeliver* starts a fresh round of attempts."""

    list_display = ("created_at", "event", "endpoint", "status", "attempts", "last_status_code",
                    "sent_at")  # fmt: skip
    list_filter = ("status", "event")
    readonly_fields = ("endpoint", "event", "payload", "status", "attempts", "next_attempt_at",
                       "last_status_code", "last_error", "sent_at")  # fmt: skip
    actions = ["redeliver"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.action(description=gettext_lazy("Redeliver the selected deliveries"))
    def redeliver(self, request: HttpRequest, queryset: QuerySet[WebhookDelivery]) -> None:
        for delivery in queryset:
            try:
                webhook_redeliver(delivery_id=delivery.pk, actor=request.user)
            except DomainError as exc:
                self.message_user(request, f"#{delivery.pk}: {exc.message}", messages.ERROR)
        self.message_user(request, _("%(n)d delivery(ies) queued.") % {"n": queryset.count()})
