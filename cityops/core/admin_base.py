"""The admin base classes every app uses: read-only registers and audited writes.

The admin has no service layer, so its writes are audited here, once: ``AuditedAdmin`` records
``<prefix>.<model>.created|changed|deleted`` with the changed fields for every save and delete
(bulk deletes included). ``ReadOnlyAdmin`` shows records that only services may write (case
events, evaluations, votes, the audit log itself).
"""

from __future__ import annotations

from typing import Any, Generic, TypeVar

from django.contrib import admin
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest

from cityops.core.audit import audit_record

_M = TypeVar("_M", bound=models.Model)


class ReadOnlyAdmin(admin.ModelAdmin[Any]):
    """Browse and search only: no add, change or delete for any role."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class AuditedAdmin(admin.ModelAdmin[_M], Generic[_M]):
    """Every write through this admin leaves an audit event (``audit_code`` names it)."""

    audit_prefix = "admin"

    def audit_code(self, obj: models.Model, verb: str) -> str:
        return f"{self.audit_prefix}.{obj._meta.model_name}.{verb}"

    def _audit(self, request: HttpRequest, obj: models.Model, verb: str, **data: Any) -> None:
        audit_record(
            code=self.audit_code(obj, verb),
            target=obj,
            actor=request.user,
            summary=str(obj),
            data={"via": "admin", **data},
        )

    def save_model(self, request: HttpRequest, obj: _M, form: Any, change: Any) -> None:
        super().save_model(request, obj, form, change)
        fields = sorted(form.changed_data) if form is not None else []
        self._audit(request, obj, "changed" if change else "created", fields=fields)

    def delete_model(self, request: HttpRequest, obj: _M) -> None:
        self._audit(request, obj, "deleted")
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[_M]) -> None:
        for obj in queryset:
            self._audit(request, obj, "deleted")
        super().delete_queryset(request, queryset)
