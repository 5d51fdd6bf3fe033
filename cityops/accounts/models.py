from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from cityops.core.models import BaseModel


class Role(models.TextChoices):
    """Roles of the platform. Values are stable API contract."""

    SYSTEM_ADMIN = "system_admin", _("System administrator")
    MAYOR_VIEWER = "mayor_viewer", _("Mayor's office viewer")
    BUREAU_SUPERVISOR = "bureau_supervisor", _("Bureau supervisor")
    INTAKE_CLERK = "intake_clerk", _("Intake clerk")
    SHIFT_LEAD = "shift_lead", _("Shift lead")
    DISPATCHER = "dispatcher", _("Dispatcher")
    INSPECTOR = "inspector", _("Inspector")
    OPERATOR_STAFF = "operator_staff", _("Operator staff")
    STREET_OFFICER = "street_officer", _("Street officer")
    COMMUNITY_OFFICER = "community_officer", _("Community officer")
    RESIDENT = "resident", _("Resident")
    HR_OFFICER = "hr_officer", _("HR officer (staff transfer)")
    PROCUREMENT_OFFICER = "procurement_officer", _("Procurement officer")
    # Decisions of the mayor's office (cityops.decisions): the 督查室 assigns and verifies items,
    # a unit's liaison signs for them and reports for the unit (membership names the unit).
    SUPERVISION_SECTION = "supervision_section", _("Supervision section (督查室)")
    UNIT_LIAISON = "unit_liaison", _("Unit liaison")


class User(AbstractUser):
    display_name = models.CharField(_("display name"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.display_name or self.username


class Membership(BaseModel):
    """Links a user to a role, and where the role needs it to an organisation or territory.

    Access helpers scope every query by these rows: an operator's staff see only their
    organisation's records, a street officer only the street's.
    """

    user = models.ForeignKey(
        User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    organisation = models.ForeignKey(
        "registry.Organisation",
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="memberships",
    )
    street = models.ForeignKey(
        "registry.Street",
        verbose_name=_("street"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="memberships",
    )
    community = models.ForeignKey(
        "registry.Community",
        verbose_name=_("community"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="memberships",
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "role", "organisation", "street", "community"],
                name="accounts_membership_unique",
            )
        ]

    def __str__(self) -> str:
        scope = self.organisation or self.community or self.street or ""
        return f"{self.user} · {self.get_role_display()} {scope}".strip()

    def clean(self) -> None:
        if self.role == Role.OPERATOR_STAFF and self.organisation_id is None:
            raise ValidationError({"organisation": _("Operator staff must belong to an operator.")})
        if self.role == Role.UNIT_LIAISON and self.organisation_id is None:
            raise ValidationError({"organisation": _("A unit liaison belongs to a unit.")})
        if self.role == Role.STREET_OFFICER and self.street_id is None:
            raise ValidationError({"street": _("A street officer needs a street.")})
        if self.role == Role.COMMUNITY_OFFICER and self.community_id is None:
            raise ValidationError({"community": _("A community officer needs a community.")})
