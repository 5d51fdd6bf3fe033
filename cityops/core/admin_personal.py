"""Personal data in the admin: masked for every role, shown in clear only by an audited reveal.

``PersonalDataAdmin`` keeps the encrypted fields out of every admin form and list, shows them
masked, and adds ``<pk>/reveal/``: a POST with a stated purpose (an empty one is refused)
writes the audit event and shows the values once. A model whose reveal already has a service
(the case reporter: ``case_reveal_reporter``) overrides ``reveal_personal_data`` to call it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import admin
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db import models, transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cityops.core.audit import audit_record
from cityops.core.crypto import mask_name, mask_phone
from cityops.core.errors import DomainError, PermissionDenied


def mask_id_number(value: str) -> str:
    """``152301199001011234`` → ``1523**********1234``."""
    text = value.strip()
    if len(text) <= 8:
        return "*" * len(text)
    return text[:4] + "*" * (len(text) - 8) + text[-4:]


MASKS: dict[str, Callable[[str], str]] = {
    "name": mask_name,
    "phone": mask_phone,
    "id_number": mask_id_number,
}


def personal_data_reveal(
    *, obj: models.Model, fields: tuple[str, ...], actor: Any, purpose: str
) -> dict[str, str]:
    """The clear values of ``fields``, audited with the purpose (required)."""
    purpose = (purpose or "").strip()
    if not purpose:
        raise DomainError(_("State the purpose of seeing the personal data."), field="purpose")
    with transaction.atomic():
        audit_record(
            code=f"{obj._meta.label_lower}.personal_data_revealed",
            target=obj,
            actor=actor,
            summary=str(obj.pk),
            data={"purpose": purpose[:200], "fields": list(fields)},
        )
    return {name: str(getattr(obj, name) or "") for name in fields}


class PersonalDataAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Declare ``personal_fields = {field: kind}`` with kind in ``MASKS``."""

    personal_fields: dict[str, str] = {}

    def get_exclude(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [*(super().get_exclude(request, obj) or ()), *self.personal_fields]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [*super().get_readonly_fields(request, obj), "personal_data"]

    def masked(self, obj: Any, name: str) -> str:
        return MASKS[self.personal_fields[name]](str(getattr(obj, name) or ""))

    @admin.display(description=gettext_lazy("personal data (masked)"))
    def personal_data(self, obj: Any) -> str:
        if obj is None or obj.pk is None:
            return ""
        values = ", ".join(
            f"{obj._meta.get_field(name).verbose_name}: {self.masked(obj, name) or '—'}"
            for name in self.personal_fields
        )
        href = reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_reveal", args=[obj.pk])
        return format_html('{} <a href="{}">{}</a>', values, href, _("Reveal (audited)"))

    def get_urls(self) -> list[Any]:
        meta = self.model._meta
        own = [
            path(
                "<path:object_id>/reveal/",
                self.admin_site.admin_view(self.reveal_view),
                name=f"{meta.app_label}_{meta.model_name}_reveal",
            )
        ]
        return own + super().get_urls()

    def reveal_personal_data(self, request: HttpRequest, obj: Any, purpose: str) -> dict[str, str]:
        return personal_data_reveal(
            obj=obj, fields=tuple(self.personal_fields), actor=request.user, purpose=purpose
        )

    def reveal_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        obj = self.get_object(request, object_id)
        if obj is None:
            raise Http404
        if not self.has_view_permission(request, obj):
            raise DjangoPermissionDenied
        revealed: dict[str, str] | None = None
        error = ""
        status = 200
        if request.method == "POST":
            purpose = request.POST.get("purpose", "").strip()
            try:
                if not purpose:  # in the back office always, whatever the role
                    raise DomainError(
                        _("State the purpose of seeing the personal data."), field="purpose"
                    )
                values = self.reveal_personal_data(request, obj, purpose)
            except (DomainError, PermissionDenied) as exc:
                error, status = str(exc.message), exc.status_code
            else:
                revealed = {
                    str(self.model._meta.get_field(name).verbose_name): value
                    for name, value in values.items()
                }
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": obj,
            "title": _("Reveal personal data"),
            "revealed": revealed,
            "error": error,
        }
        return TemplateResponse(request, "core/admin_reveal.html", context, status=status)
