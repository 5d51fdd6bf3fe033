"""Owner register (业主名册) and a compound's management history."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from cityops.core.crypto import EncryptedTextField, blind_index, mask_name
from cityops.core.models import BaseModel
from cityops.registry.models import Compound, ManagementModel, Organisation


class Owner(BaseModel):
    """业主: one voting owner of a compound.

    One row is one owner for the art. 278 headcount: co-owners of a unit share the row
    (``co_owners``), a buyer with several units has one row, and the developer's unsold or
    undelivered units all belong to the compound's single developer row.
    """

    compound = models.ForeignKey(
        Compound, verbose_name=_("compound"), on_delete=models.CASCADE, related_name="owners"
    )
    key = models.CharField(
        _("owner reference"),
        max_length=40,
        help_text=_("The owner's reference in the register, unique within the compound."),
    )
    is_developer = models.BooleanField(_("developer"), default=False)
    name = EncryptedTextField(_("name"))
    co_owners = EncryptedTextField(_("co-owners"), blank=True, default="")
    phone = EncryptedTextField(_("phone"), blank=True, default="")
    id_number = EncryptedTextField(_("ID number"), blank=True, default="")
    # Keyed blind index of the ID document (as for reporters' phones): the art. 278 head-count
    # follows the person, so one buyer registered under two references is still one owner.
    id_index = models.CharField(max_length=64, blank=True, default="", editable=False)
    # Set when the owner left the register (holds no unit any more): the personal fields are
    # erased (PIPL), the row stays so that the ballots cast keep counting (owner_leave).
    left_at = models.DateTimeField(_("left the register at"), null=True, blank=True, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="estate_owners",
    )

    class Meta:
        verbose_name = _("owner")
        verbose_name_plural = _("owners")
        ordering = ["compound", "key"]
        constraints = [
            models.UniqueConstraint(fields=["compound", "key"], name="estates_owner_key_unique"),
            models.UniqueConstraint(
                fields=["compound"],
                condition=models.Q(is_developer=True),
                name="estates_owner_one_developer",
            ),
        ]
        indexes = [models.Index(fields=["compound", "id_index"], name="estates_owner_person")]

    def __str__(self) -> str:
        return f"{self.key} {mask_name(self.name)}"

    def set_id_number(self, value: str) -> None:
        """Write the ID number and its blind index together (never one without the other)."""
        self.id_number = value
        self.id_index = id_index(value)

    @property
    def person_key(self) -> str:
        return person_key(self.pk, self.id_index)


ID_INDEX_PURPOSE = "estates_owner_id_number"


def id_index(id_number: str) -> str:
    return blind_index(id_number, purpose=ID_INDEX_PURPOSE) if id_number.strip() else ""


def person_key(owner_pk: object, id_index: str) -> str:
    """Who is one owner for the head-count: the person behind the ID document when it is
    registered, otherwise the register row."""
    return f"person:{id_index}" if id_index else f"owner:{owner_pk}"


class Unit(BaseModel):
    """专有部分 (exclusive unit): a flat or shop with its registered floor area."""

    compound = models.ForeignKey(
        Compound, verbose_name=_("compound"), on_delete=models.CASCADE, related_name="units"
    )
    building = models.CharField(_("building"), max_length=20)
    entrance = models.CharField(_("entrance"), max_length=10, blank=True)
    room = models.CharField(_("room"), max_length=20)
    area = models.DecimalField(_("registered exclusive area (m²)"), max_digits=10, decimal_places=2)
    owner = models.ForeignKey(
        Owner, verbose_name=_("owner"), on_delete=models.PROTECT, related_name="units"
    )
    developer_held = models.BooleanField(
        _("held by the developer"),
        default=False,
        help_text=_("Unsold or undelivered: counted with the developer's other units."),
    )

    class Meta:
        verbose_name = _("exclusive unit")
        verbose_name_plural = _("exclusive units")
        ordering = ["compound", "building", "entrance", "room"]
        constraints = [
            models.UniqueConstraint(
                fields=["compound", "building", "entrance", "room"],
                name="estates_unit_address_unique",
            ),
            models.CheckConstraint(condition=models.Q(area__gt=0), name="estates_unit_area_pos"),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        parts = [self.building, self.entrance, self.room]
        return "-".join(p for p in parts if p)


class CompoundManagement(BaseModel):
    """One period of a compound's management (model, company, service contract)."""

    compound = models.ForeignKey(
        Compound,
        verbose_name=_("compound"),
        on_delete=models.CASCADE,
        related_name="management_history",
    )
    model = models.CharField(_("management model"), max_length=20, choices=ManagementModel.choices)
    company = models.ForeignKey(
        Organisation,
        verbose_name=_("manager"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    contract_number = models.CharField(_("service contract number"), max_length=50, blank=True)
    contract_start = models.DateField(_("contract start"), null=True, blank=True)
    contract_end = models.DateField(_("contract end"), null=True, blank=True)
    started_on = models.DateField(_("from"))
    ended_on = models.DateField(_("until"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("changed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("management period")
        verbose_name_plural = _("management history")
        ordering = ["compound", "-started_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["compound"],
                condition=models.Q(ended_on__isnull=True),
                name="estates_management_one_current",
            )
        ]

    def __str__(self) -> str:
        return f"{self.compound} {self.get_model_display()} {self.started_on}"
