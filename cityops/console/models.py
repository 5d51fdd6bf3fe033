"""Rows owned by the staff console: saved case-list filters."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from cityops.core.models import BaseModel


class SavedFilter(BaseModel):
    """A named case-list filter of one user, optionally shared with the user's organisation.

    ``query`` is the list's own query string (only the filter form's fields are kept), so a
    saved filter is applied by opening the list with it: the form validates it again each time.
    """

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.CASCADE,
        related_name="saved_case_filters",
    )
    name = models.CharField(_("name"), max_length=80)
    query = models.CharField(_("filter (query string)"), max_length=1000, blank=True)
    shared = models.BooleanField(_("shared"), default=False)
    shared_with = models.ForeignKey(
        "registry.Organisation",
        verbose_name=_("shared with organisation"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("saved case filter")
        verbose_name_plural = _("saved case filters")
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["owner", "name"], name="console_savedfilter_unique")
        ]

    def __str__(self) -> str:
        return self.name
