"""Sanitation vehicles with JT/T 808 terminals, their positions and their work plans.

Defaults are the seed values of ``sanitation-supervision.md`` (mostly ❓/◐): every threshold is
a column of an editable row, never a constant in the code.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from cityops.core.models import BaseModel, SettingsRow
from cityops.registry.models import ComponentType, Contract, Lot, Organisation, RoadSegment


class VehicleKind(models.TextChoices):
    SWEEPER = "sweeper", _("Sweeper")
    WASHER = "washer", _("Wash-sweeper / washer")
    SPRINKLER = "sprinkler", _("Sprinkler / mist truck")
    COMPRESSION = "compression", _("Compression garbage truck")
    KITCHEN_WASTE = "kitchen_waste", _("Kitchen-waste truck")
    SNOW_PLOUGH = "snow_plough", _("Snow plough")
    OTHER = "other", _("Other")


# §1.3 / §6 seeds (❓): the working speed window per kind, km/h.
DEFAULT_SPEED_WINDOW: dict[str, tuple[int, int]] = {
    VehicleKind.SWEEPER: (1, 10),
    VehicleKind.WASHER: (1, 15),
    VehicleKind.SPRINKLER: (1, 20),
    VehicleKind.COMPRESSION: (0, 40),
    VehicleKind.KITCHEN_WASTE: (0, 40),
    VehicleKind.SNOW_PLOUGH: (3, 40),
    VehicleKind.OTHER: (1, 20),
}


class PlateColour(models.IntegerChoices):
    """JT/T 697.7 plate colours as 0x0100 carries them (2019: 0 = not registered yet)."""

    NONE = 0, _("No plate yet")
    BLUE = 1, _("Blue")
    YELLOW = 2, _("Yellow")
    BLACK = 3, _("Black")
    WHITE = 4, _("White")
    GREEN = 5, _("Green")
    OTHER = 9, _("Other")


class ProtocolVersion(models.IntegerChoices):
    V2013 = 2013, "JT/T 808-2013"
    V2019 = 2019, "JT/T 808-2019"


sim_validator = RegexValidator(r"^[1-9][0-9]{0,19}$", _("Digits only, at most 20."))


class Vehicle(BaseModel):
    plate = models.CharField(_("plate"), max_length=20)
    plate_colour = models.PositiveSmallIntegerField(
        _("plate colour"), choices=PlateColour.choices, default=PlateColour.YELLOW
    )
    kind = models.CharField(_("kind"), max_length=20, choices=VehicleKind.choices)
    sim = models.CharField(
        _("terminal phone number (SIM)"),
        max_length=20,
        unique=True,
        validators=[sim_validator],
        help_text=_("As the terminal sends it, without leading zeros."),
    )
    protocol_version = models.PositiveSmallIntegerField(
        _("protocol version"), choices=ProtocolVersion.choices, default=ProtocolVersion.V2013
    )
    operator = models.ForeignKey(
        Organisation, verbose_name=_("operator"), on_delete=models.PROTECT, related_name="vehicles"
    )
    contract = models.ForeignKey(
        Contract,
        verbose_name=_("contract"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="vehicles",
    )
    lot = models.ForeignKey(
        Lot,
        verbose_name=_("lot"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="vehicles",
    )
    active = models.BooleanField(_("active"), default=True)
    # Working-device state is not a standard field (§1.5): a vendor TLV in 0x0200's
    # additional items. Which item and which bits mean "broom / pump / plough on".
    work_item = models.PositiveSmallIntegerField(
        _("work signal item (0x0200 extra id)"),
        default=0xE1,
        validators=[MaxValueValidator(255)],
    )
    work_mask = models.PositiveIntegerField(_("work signal bit mask"), default=0x01)
    # What the terminal said at registration (0x0100) and its authentication code (0x8100).
    terminal_model = models.CharField(_("terminal model"), max_length=30, blank=True)
    terminal_id = models.CharField(_("terminal id"), max_length=30, blank=True)
    auth_code = models.CharField(_("authentication code"), max_length=40, blank=True)
    registered_at = models.DateTimeField(_("terminal registered at"), null=True, blank=True)
    # Live state (written by the position writer; read by the live map).
    last_seen_at = models.DateTimeField(_("last message at"), null=True, blank=True)
    fix_time = models.DateTimeField(_("last position time"), null=True, blank=True)
    fix_lat = models.IntegerField(_("last latitude (µ°)"), null=True, blank=True)
    fix_lon = models.IntegerField(_("last longitude (µ°)"), null=True, blank=True)
    fix_speed = models.PositiveIntegerField(_("last speed (0.1 km/h)"), null=True, blank=True)
    fix_heading = models.PositiveSmallIntegerField(_("last heading"), null=True, blank=True)
    fix_working = models.BooleanField(_("last work signal"), default=False)

    class Meta:
        verbose_name = _("vehicle")
        verbose_name_plural = _("vehicles")
        ordering = ["plate"]
        constraints = [
            models.UniqueConstraint(
                fields=["plate", "plate_colour"], name="vehicles_vehicle_plate_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.plate} ({self.get_kind_display()})"

    def clean(self) -> None:
        contract, lot = self.contract, self.lot
        if contract is not None and self.operator_id and contract.operator_id != self.operator_id:
            raise ValidationError({"contract": _("The contract belongs to another operator.")})
        if lot is not None and contract is not None and lot.contract_id != contract.pk:
            raise ValidationError({"lot": _("The lot belongs to another contract.")})


class Position(models.Model):
    """One GNSS fix. Unique by vehicle and GNSS time, so a re-sent frame, a blind-area batch
    seen twice or a consumer redelivery inserts nothing new. On PostgreSQL the table is
    partitioned by day (``partitions.py``); SQLite keeps it plain."""

    pk = models.CompositePrimaryKey("vehicle_id", "time")
    vehicle = models.ForeignKey(
        Vehicle, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    time = models.DateTimeField()
    lat = models.IntegerField()  # micro-degrees, WGS-84 / CGCS2000 as the terminal sends
    lon = models.IntegerField()
    speed = models.PositiveIntegerField()  # 0.1 km/h
    heading = models.PositiveSmallIntegerField()
    altitude = models.IntegerField(default=0)
    status = models.BigIntegerField(default=0)
    alarm = models.BigIntegerField(default=0)
    working = models.BooleanField(default=False)  # the vehicle's work signal was on
    backfill = models.BooleanField(default=False)  # came in a 0x0704 blind-area batch
    received_at = models.DateTimeField()

    class Meta:
        verbose_name = _("position")
        verbose_name_plural = _("positions")

    def __str__(self) -> str:
        return f"{self.vehicle_id}@{self.time:%Y-%m-%d %H:%M:%S}"


class TelematicsSettings(SettingsRow, BaseModel):
    """One editable row of thresholds (§1.5, §2, §4 seeds; ❓ unless the document says)."""

    heartbeat_seconds = models.PositiveIntegerField(
        _("heartbeat interval (s)"), default=60, validators=[MinValueValidator(5)]
    )
    offline_seconds = models.PositiveIntegerField(_("offline after (s)"), default=180)
    match_buffer_m = models.FloatField(_("map-matching buffer (m)"), default=20.0)
    heading_tolerance = models.PositiveSmallIntegerField(
        _("heading tolerance (°)"), default=45, validators=[MaxValueValidator(180)]
    )
    pass_share = models.DecimalField(
        _("share of a segment that makes a pass"),
        max_digits=4,
        decimal_places=2,
        default=Decimal("0.80"),
        validators=[MinValueValidator(Decimal("0.05")), MaxValueValidator(Decimal("1"))],
    )
    gap_factor = models.PositiveSmallIntegerField(
        _("run break: gap over this many reporting intervals"), default=3
    )
    report_interval_s = models.PositiveIntegerField(_("reporting interval (s)"), default=10)
    max_jump_kmh = models.PositiveIntegerField(_("drop jumps faster than (km/h)"), default=150)
    visit_radius_m = models.FloatField(_("collection visit radius (m)"), default=30.0)
    visit_speed_kmh = models.FloatField(_("collection visit: speed at most (km/h)"), default=5.0)
    visit_dwell_s = models.PositiveIntegerField(_("collection visit: dwell (s)"), default=30)
    overspeed_seconds = models.PositiveIntegerField(_("working overspeed for (s)"), default=60)
    off_plan_m = models.FloatField(_("off plan beyond (m)"), default=50.0)
    off_plan_seconds = models.PositiveIntegerField(_("off plan for (s)"), default=60)
    parked_minutes = models.PositiveIntegerField(_("parked too long (min)"), default=30)
    late_departure_minutes = models.PositiveIntegerField(
        _("late departure grace (min)"), default=15
    )
    mechanised_target = models.DecimalField(
        _("mechanised work completion target (%)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal(95),
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))],
        help_text=_("Below it, each percentage point is one unit of the scheme item."),
    )
    retention_days = models.PositiveIntegerField(
        _("keep positions (days)"), default=400, validators=[MinValueValidator(1)]
    )
    alarm_case_account = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account that files alarm cases"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_(
            "The vehicle platform's system account (an intake clerk): case-worthy alarms are"
            " reported as cases from the source “Vehicle or sensor” in its name."
        ),
    )

    class Meta:
        verbose_name = _("telematics settings")
        verbose_name_plural = _("telematics settings")

    def __str__(self) -> str:
        return str(_("Telematics settings"))


def default_passes() -> dict[str, int]:
    # §1.1 (青浦 example, ◐): sweeps per day by cleaning grade 一…四级.
    return {"1": 3, "2": 2, "3": 2, "4": 1}


class WorkPlan(BaseModel):
    """What one kind of vehicle must do in a lot during one shift."""

    lot = models.ForeignKey(
        Lot, verbose_name=_("lot"), on_delete=models.CASCADE, related_name="work_plans"
    )
    kind = models.CharField(_("vehicle kind"), max_length=20, choices=VehicleKind.choices)
    shift = models.CharField(_("shift"), max_length=50, default="night")
    window_start = models.TimeField(_("window starts"), default=dt.time(22, 0))
    window_end = models.TimeField(
        _("window ends"), default=dt.time(5, 0), help_text=_("Before the start: the next day.")
    )
    speed_min_kmh = models.DecimalField(
        _("working speed from (km/h)"), max_digits=5, decimal_places=1, default=Decimal(1)
    )
    speed_max_kmh = models.DecimalField(
        _("working speed up to (km/h)"), max_digits=5, decimal_places=1, default=Decimal(10)
    )
    passes_by_grade = models.JSONField(
        _("passes per day by cleaning grade"), default=default_passes, blank=True
    )
    segments = models.ManyToManyField(
        RoadSegment,
        verbose_name=_("road segments"),
        blank=True,
        related_name="work_plans",
        help_text=_("Empty: every road segment of the lot."),
    )
    collection_type = models.ForeignKey(
        ComponentType,
        verbose_name=_("collection point type"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    visits_per_day = models.PositiveSmallIntegerField(_("visits per point and day"), default=2)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("work plan")
        verbose_name_plural = _("work plans")
        ordering = ["lot", "kind", "shift"]
        constraints = [
            models.UniqueConstraint(
                fields=["lot", "kind", "shift"], name="vehicles_workplan_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.lot.code} {self.get_kind_display()} {self.shift}"

    def clean(self) -> None:
        if (
            self.speed_min_kmh is not None
            and self.speed_max_kmh is not None
            and self.speed_min_kmh >= self.speed_max_kmh
        ):
            raise ValidationError(
                {"speed_max_kmh": _("The upper speed must exceed the lower one.")}
            )
        grades = self.passes_by_grade or {}
        if not isinstance(grades, dict) or not all(
            str(k) in {"1", "2", "3", "4"} and isinstance(v, int) and 0 <= v <= 20
            for k, v in grades.items()
        ):
            raise ValidationError(
                {"passes_by_grade": _('Give passes per grade 1–4, e.g. {"1": 3, "2": 2}.')}
            )

    def passes_for(self, grade: int) -> int:
        value: Any = (self.passes_by_grade or {}).get(str(grade), 0)
        return int(value)


class SegmentDay(models.Model):
    """Coverage of one planned road segment on one day (recomputed when late data arrives)."""

    plan = models.ForeignKey(WorkPlan, on_delete=models.CASCADE, related_name="segment_days")
    segment = models.ForeignKey(RoadSegment, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    length_m = models.FloatField()
    covered_m = models.FloatField()
    passes = models.PositiveSmallIntegerField()
    planned_passes = models.PositiveSmallIntegerField()
    computed_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "segment", "day"], name="vehicles_segmentday_unique"
            )
        ]
        indexes = [models.Index(fields=["day", "plan"])]

    def __str__(self) -> str:
        return f"{self.segment_id} {self.day}"

    @property
    def share(self) -> float:
        return self.covered_m / self.length_m if self.length_m else 0.0


class PointDay(models.Model):
    """Visits to one collection point on one day against the plan."""

    plan = models.ForeignKey(WorkPlan, on_delete=models.CASCADE, related_name="point_days")
    component_id = models.BigIntegerField()
    day = models.DateField()
    visits = models.PositiveSmallIntegerField()
    required = models.PositiveSmallIntegerField()
    computed_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "component_id", "day"], name="vehicles_pointday_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.component_id} {self.day}"


class AlarmKind(models.TextChoices):
    """Platform-side alarms computed from tracks and plans (sanitation-supervision.md §4)."""

    OVERSPEED = "overspeed", _("Working over speed (作业超速)")
    OFF_PLAN = "off_plan", _("Working off plan (偏离路线)")
    PARKED = "parked", _("Parked too long in a working window (停留超时)")
    OFFLINE = "offline", _("Terminal offline (离线)")
    NOT_OUT = "not_out", _("Not out on time (未按时出车)")


class AlarmStatus(models.TextChoices):
    OPEN = "open", _("Open")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    CLOSED = "closed", _("Closed")


ACTIVE_ALARM = (AlarmStatus.OPEN, AlarmStatus.ACKNOWLEDGED)


class AlarmRule(BaseModel):
    """The alarm catalogue: one editable row per kind (whether it is raised, and the case
    category that makes it case-worthy). Thresholds are ``TelematicsSettings`` columns."""

    kind = models.CharField(_("alarm kind"), max_length=20, choices=AlarmKind.choices, unique=True)
    enabled = models.BooleanField(_("raised"), default=True)
    case_category = models.ForeignKey(
        "cases.Category",
        verbose_name=_("case category (case-worthy)"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Empty: the alarm is a notice to the operator only."),
    )

    class Meta:
        verbose_name = _("alarm rule")
        verbose_name_plural = _("alarm rules")
        ordering = ["kind"]

    def __str__(self) -> str:
        return self.get_kind_display()


class Alarm(BaseModel):
    """One episode of an alarm condition on one vehicle: at most one active (open or
    acknowledged) per vehicle and kind; the job closes it when the condition clears."""

    vehicle = models.ForeignKey(
        Vehicle, verbose_name=_("vehicle"), on_delete=models.CASCADE, related_name="alarms"
    )
    operator = models.ForeignKey(
        Organisation, verbose_name=_("operator"), on_delete=models.PROTECT, related_name="+"
    )
    contract = models.ForeignKey(
        Contract,
        verbose_name=_("contract"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=AlarmKind.choices)
    status = models.CharField(
        _("status"), max_length=20, choices=AlarmStatus.choices, default=AlarmStatus.OPEN
    )
    started_at = models.DateTimeField(_("condition since"))
    cleared_at = models.DateTimeField(_("cleared at"), null=True, blank=True)
    value = models.FloatField(_("measured value"), default=0)
    threshold = models.FloatField(_("threshold"), default=0)
    lat = models.IntegerField(_("latitude (µ°)"), null=True, blank=True)
    lon = models.IntegerField(_("longitude (µ°)"), null=True, blank=True)
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("acknowledged by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    case = models.ForeignKey(
        "cases.Case",
        verbose_name=_("case"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("vehicle alarm")
        verbose_name_plural = _("vehicle alarms")
        ordering = ["-started_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["vehicle", "kind"],
                condition=models.Q(status__in=["open", "acknowledged"]),
                name="vehicles_alarm_one_active",
            )
        ]
        indexes = [
            models.Index(fields=["operator", "status"]),
            models.Index(fields=["contract", "started_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.vehicle_id} {self.kind} {self.started_at:%Y-%m-%d %H:%M}"
