"""Organisations: departments, street offices, operators, property companies."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from cityops.core.models import BaseModel
from cityops.registry import validators
from cityops.registry.models.areas import Community, Street
from cityops.registry.models.base import ServiceType, clean_code


class OrganisationKind(models.TextChoices):
    DEPARTMENT = "department", _("Government department")
    STREET_OFFICE = "street_office", _("Street office")
    COMMUNITY = "community", _("Community committee")
    OPERATOR = "operator", _("Operator company")
    COMMAND_CENTRE = "command_centre", _("Command centre")


class Organisation(BaseModel):
    kind = models.CharField(_("kind"), max_length=20, choices=OrganisationKind.choices)
    operator_type = models.CharField(
        _("operator type"),
        max_length=20,
        choices=ServiceType.choices,
        blank=True,
        help_text=_("For operator companies: the service they mainly provide."),
    )
    name = models.CharField(_("name"), max_length=200, unique=True)
    short_name = models.CharField(_("short name"), max_length=60, blank=True)
    uscc = models.CharField(
        _("unified social credit code"),
        max_length=18,
        unique=True,
        null=True,
        blank=True,
        help_text=_("18 characters, GB 32100-2015, with a check character."),
    )
    street = models.ForeignKey(
        Street,
        verbose_name=_("street"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="organisations",
    )
    community = models.ForeignKey(
        Community,
        verbose_name=_("community"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="organisations",
    )
    contact_phone = models.CharField(_("office phone"), max_length=30, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["kind", "name"]

    def __str__(self) -> str:
        return self.short_name or self.name

    def clean(self) -> None:
        if self.uscc:
            clean_code(self, "uscc", lambda: validators.validate_uscc(self.uscc or ""))
        else:
            self.uscc = None
        if self.kind == OrganisationKind.OPERATOR and not self.operator_type:
            raise ValidationError({"operator_type": _("An operator needs an operator type.")})
        if self.kind != OrganisationKind.OPERATOR:
            self.operator_type = ""
        if self.kind == OrganisationKind.STREET_OFFICE and not self.street_id:
            raise ValidationError({"street": _("A street office belongs to a street.")})
        if self.kind == OrganisationKind.COMMUNITY and not self.community_id:
            raise ValidationError({"community": _("A community committee needs its community.")})


# --- Assets -------------------------------------------------------------------------------
