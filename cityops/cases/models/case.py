"""The case (案件) and its trail: events (one per transition) and photos.

The status is written by exactly one function, ``cityops.cases.services.workflow.case_transition``;
nothing else assigns ``Case.status``. ``version`` is bumped on every transition so that two
people acting on one case at once are told (compare-and-swap) instead of silently overwritten.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from cityops.cases.models.catalogue import Category, Urgency
from cityops.core.crypto import EncryptedTextField, mask_name, mask_phone
from cityops.core.models import BaseModel
from cityops.core.private_media import RandomName, private_storage


class Source(models.TextChoices):
    INSPECTOR = "inspector", _("Inspector")
    HOTLINE = "hotline", _("Hotline 12345")
    PUBLIC = "public", _("Public (web, app, Open311)")
    LEADER = "leader", _("Leader's instruction")
    SENSOR = "sensor", _("Vehicle or sensor")
    SELF_HANDLED = "self_handled", _("Self-handled by an inspector")


class Status(models.TextChoices):
    """Stable lowercase values: API contract (Open311 maps them to open/closed)."""

    AWAITING_VERIFICATION = "awaiting_verification", _("Awaiting verification")
    REPORTED = "reported", _("Reported")
    SELF_HANDLED = "self_handled", _("Self-handled, awaiting approval")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected")
    FILED = "filed", _("Filed")
    DISPATCHED = "dispatched", _("Dispatched")
    RETURN_REQUESTED = "return_requested", _("Return requested")
    EXTENSION_REQUESTED = "extension_requested", _("Extension requested")
    PARK_REQUESTED = "park_requested", _("Parking requested")
    PARKED = "parked", _("Parked")
    HANDLED = "handled", _("Handled")
    VERIFIED = "verified", _("Check passed")
    CLOSED = "closed", _("Closed")
    VOIDED = "voided", _("Voided")
    MERGED = "merged", _("Merged into another case")


# The unit's clock runs in these statuses: the SLA scan looks only at them.
SLA_STATUSES: tuple[str, ...] = (
    Status.DISPATCHED,
    Status.RETURN_REQUESTED,
    Status.EXTENSION_REQUESTED,
    Status.PARK_REQUESTED,
)
TERMINAL_STATUSES: tuple[str, ...] = (
    Status.REJECTED,
    Status.CLOSED,
    Status.VOIDED,
    Status.MERGED,
)
OPEN_STATUSES: tuple[str, ...] = tuple(s for s in Status.values if s not in TERMINAL_STATUSES)


class Light(models.TextChoices):
    """Traffic light of the handling time limit (green < 80 % ≤ yellow < 100 % ≤ red)."""

    NONE = "", _("No deadline")
    GREEN = "green", _("Green")
    YELLOW = "yellow", _("Yellow")
    RED = "red", _("Red")


class Case(BaseModel):
    number = models.CharField(_("case number"), max_length=20, unique=True)
    source = models.CharField(_("source"), max_length=20, choices=Source.choices)
    # Indexed by ``cases_dup_window`` (category, reported_at), whose prefix serves it too.
    category = models.ForeignKey(
        Category, verbose_name=_("category"), on_delete=models.PROTECT, related_name="cases",
        db_index=False,
    )  # fmt: skip
    urgency = models.CharField(
        _("urgency"), max_length=10, choices=Urgency.choices, default=Urgency.NORMAL
    )
    status = models.CharField(_("status"), max_length=30, choices=Status.choices)
    version = models.PositiveIntegerField(_("version"), default=1)
    description = models.TextField(_("description"))
    address = models.CharField(_("address"), max_length=200, blank=True)
    # The n-grams of address + description for the text search's index (``cases.search``);
    # kept by ``save()`` and by every bulk writer (``refresh_search_terms``).
    search_terms = models.TextField(_("search terms"), blank=True, default="", editable=False)
    answers = models.JSONField(_("answers to the category's questions"), default=dict, blank=True)

    # Where: WGS-84, plus the registry cells found by locate() at intake.
    lon = models.FloatField(_("longitude (WGS-84)"))
    lat = models.FloatField(_("latitude (WGS-84)"))
    # Indexed by ``cases_grid_status`` (grid, status), whose prefix serves it too.
    grid = models.ForeignKey(
        "registry.Grid", verbose_name=_("grid"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="cases", db_index=False,
    )  # fmt: skip
    # Indexed by ``cases_community_reported`` / ``cases_street_reported`` (their prefix).
    community = models.ForeignKey(
        "registry.Community", verbose_name=_("community"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="cases", db_index=False,
    )  # fmt: skip
    street = models.ForeignKey(
        "registry.Street", verbose_name=_("street"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="cases", db_index=False,
    )  # fmt: skip
    component = models.ForeignKey(
        "registry.Component", verbose_name=_("component"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="cases",
    )  # fmt: skip

    # Routing result (who must fix it, and why), recomputed on re-categorisation.
    service_type = models.CharField(_("service type"), max_length=20, blank=True)
    lot = models.ForeignKey(
        "registry.Lot", verbose_name=_("lot"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="cases",
    )  # fmt: skip
    contract = models.ForeignKey(
        "registry.Contract", verbose_name=_("contract"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="cases",
    )  # fmt: skip
    routed_org = models.ForeignKey(
        "registry.Organisation", verbose_name=_("routed unit"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )  # fmt: skip
    routing_explanation = models.TextField(_("routing explanation"), blank=True)
    # The unit the case is dispatched to now (operator or department); scopes operator access.
    # Indexed by ``cases_assignee_status`` (assignee, status), whose prefix serves it too.
    assignee = models.ForeignKey(
        "registry.Organisation", verbose_name=_("responsible unit"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="assigned_cases", db_index=False,
    )  # fmt: skip

    # Reporter: personal data, encrypted at rest; the blind index finds "cases by this phone".
    reporter_name = EncryptedTextField(_("reporter name"), blank=True, default="")
    reporter_phone = EncryptedTextField(_("reporter phone"), blank=True, default="")
    # Exact look-ups only: indexed in Meta (a plain btree, no pattern-ops twin on PostgreSQL).
    reporter_phone_index = models.CharField(max_length=64, blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("reported by"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="reported_cases",
    )  # fmt: skip
    # Compared after the look-up by number: never searched, so not indexed.
    tracking_hash = models.CharField(max_length=64, blank=True)
    tracking_nonce = models.CharField(max_length=32, blank=True)
    client = models.CharField(_("source client"), max_length=80, blank=True)
    idempotency_key = models.CharField(_("idempotency key"), max_length=100, blank=True)

    # Timestamps of the loop (信息收集 → … → 结案).
    reported_at = models.DateTimeField(_("reported at"), db_index=True)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    filed_at = models.DateTimeField(_("filed at"), null=True, blank=True)
    dispatched_at = models.DateTimeField(_("dispatched at"), null=True, blank=True)
    clock_started_at = models.DateTimeField(_("handling round started at"), null=True, blank=True)
    deadline_at = models.DateTimeField(_("deadline"), null=True, blank=True)
    yellow_at = models.DateTimeField(_("yellow at"), null=True, blank=True)
    handled_at = models.DateTimeField(_("handled at"), null=True, blank=True)
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    # Set when the retention job erased the reporter's contact data (cityops.cases.retention):
    # the encrypted columns cannot be filtered by value, so the job selects by this marker.
    reporter_erased_at = models.DateTimeField(
        _("reporter data erased at"), null=True, blank=True, editable=False
    )

    # 挂账: parked time does not count against the unit.
    parked_at = models.DateTimeField(_("parked since"), null=True, blank=True)
    parked_intervals = models.JSONField(_("parked intervals"), default=list, blank=True)
    parked_total_s = models.PositiveIntegerField(_("parked in total (s)"), default=0)
    # The limit of the current handling round (copied at dispatch: catalogue edits do not
    # move the deadlines of cases already with a unit).
    limit_amount = models.PositiveIntegerField(_("limit amount"), null=True, blank=True)
    limit_unit = models.CharField(_("limit unit"), max_length=20, blank=True)

    rework_count = models.PositiveSmallIntegerField(_("reworks"), default=0)
    return_count = models.PositiveSmallIntegerField(_("returns"), default=0)
    extension_count = models.PositiveSmallIntegerField(_("extensions"), default=0)
    light = models.CharField(
        _("traffic light"), max_length=10, choices=Light.choices, default=Light.NONE, blank=True
    )
    escalation_level = models.PositiveSmallIntegerField(_("escalation level"), default=0)
    red_since = models.DateTimeField(_("red since"), null=True, blank=True)
    # The deadline the unit was last reminded of (the reminder job: once per case and deadline).
    reminded_for = models.DateTimeField(_("reminded for deadline"), null=True, blank=True)
    pending_request = models.JSONField(_("pending request"), default=dict, blank=True)
    # 核实 clock: a public report awaiting verification has its own deadline and light
    # (``deadlines.verification``, CITYOPS_CASES_VERIFY_WORKING_HOURS), set at intake and
    # flipped by the same SLA scan as the handling clock (``sla.CLOCKS``).
    verify_yellow_at = models.DateTimeField(_("verification yellow at"), null=True, blank=True)
    verify_by = models.DateTimeField(_("verify by"), null=True, blank=True)
    verify_light = models.CharField(
        _("verification light"), max_length=10, choices=Light.choices, default=Light.NONE,
        blank=True,
    )  # fmt: skip
    # 督办: how often the bureau supervisor or the shift lead urged the case (action ``urge``).
    urge_count = models.PositiveSmallIntegerField(_("urges (督办)"), default=0)
    urged_at = models.DateTimeField(_("last urged at"), null=True, blank=True)
    merged_into = models.ForeignKey(
        "self", verbose_name=_("merged into"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="duplicates",
    )  # fmt: skip

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["-reported_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["client", "idempotency_key"],
                condition=~models.Q(idempotency_key=""),
                name="cases_case_idempotency_unique",
            )
        ]
        indexes = [
            # The SLA scan's indexes leave ``light`` out (of keys and conditions): a light flip
            # then changes no indexed column and PostgreSQL can update the row in place (HOT,
            # with the table's fillfactor below 100, migration 0003) instead of adding an entry
            # to every index of the table. Only open cases are indexed.
            models.Index(
                fields=["yellow_at"],
                name="cases_sla_yellow",
                condition=models.Q(status__in=SLA_STATUSES),
            ),
            models.Index(
                fields=["deadline_at"],
                name="cases_sla_red",
                condition=models.Q(status__in=SLA_STATUSES),
            ),
            # The verification clock's scan (``sla.CLOCKS``), as the two above.
            models.Index(
                fields=["verify_yellow_at"],
                name="cases_verify_yellow",
                condition=models.Q(status=Status.AWAITING_VERIFICATION),
            ),
            models.Index(
                fields=["verify_by"],
                name="cases_verify_red",
                condition=models.Q(status=Status.AWAITING_VERIFICATION),
            ),
            models.Index(fields=["status", "reported_at"], name="cases_status_reported"),
            models.Index(fields=["category", "reported_at"], name="cases_dup_window"),
            models.Index(fields=["assignee", "status"], name="cases_assignee_status"),
            models.Index(fields=["lat", "lon"], name="cases_latlon"),
            models.Index(fields=["reporter_phone_index"], name="cases_reporter_phone"),
            # The staff map's per-area counts (GROUP BY grid under a status filter).
            models.Index(fields=["grid", "status"], name="cases_grid_status"),
            # The case lists (cases.query): a status sorted by deadline (closed by deadline
            # read 460,000 rows to sort them), and the street and community officers' scopes
            # newest first (their first page no longer filters the whole reported_at index).
            # The scopes' composite indexes replace the foreign keys' own single-column ones.
            models.Index(fields=["status", "deadline_at", "id"], name="cases_status_deadline"),
            models.Index(fields=["street", "reported_at", "id"], name="cases_street_reported"),
            models.Index(
                fields=["community", "reported_at", "id"], name="cases_community_reported"
            ),
            # Every sort of the case list within every scope (issue 13 §2): the whole table by
            # deadline, and a unit's, a street's and a community's cases by each sort key. The
            # page then reads its 51 rows in order and stops, where sorting a scope of 100,000
            # cases took seconds. (A resident's own reports are few: their index and a sort.)
            models.Index(fields=["deadline_at", "id"], name="cases_deadline"),
            models.Index(fields=["assignee", "reported_at", "id"], name="cases_unit_reported"),
            models.Index(fields=["assignee", "deadline_at", "id"], name="cases_unit_deadline"),
            models.Index(fields=["assignee", "number"], name="cases_unit_number"),
            models.Index(fields=["street", "deadline_at", "id"], name="cases_street_deadline"),
            models.Index(fields=["street", "number"], name="cases_street_number"),
            models.Index(
                fields=["community", "deadline_at", "id"], name="cases_community_deadline"
            ),
            models.Index(fields=["community", "number"], name="cases_community_number"),
        ]

    def __str__(self) -> str:
        return self.number

    def refresh_search_terms(self) -> None:
        from cityops.cases.search import text_terms

        self.search_terms = text_terms(self.address, self.description)

    def save(self, *args: Any, **kwargs: Any) -> None:
        fields = kwargs.get("update_fields")
        if fields is None or {"address", "description"} & set(fields):
            self.refresh_search_terms()
            if fields is not None:
                kwargs["update_fields"] = {*fields, "search_terms"}
        super().save(*args, **kwargs)

    @property
    def is_open(self) -> bool:
        return self.status not in TERMINAL_STATUSES

    @property
    def is_overdue(self) -> bool:
        """Handled after the deadline, or still with the unit past it (no queries)."""
        if self.deadline_at is None:
            return False
        if self.handled_at is not None:
            return self.handled_at > self.deadline_at
        return self.light == Light.RED

    @property
    def reporter_name_masked(self) -> str:
        return mask_name(self.reporter_name or "")

    @property
    def reporter_phone_masked(self) -> str:
        return mask_phone(self.reporter_phone or "")

    @property
    def shown_light(self) -> str:
        """The light of the clock that runs now: 核实 while awaiting verification, else the
        unit's handling clock (no queries; lists and cards show this one)."""
        if self.status == Status.AWAITING_VERIFICATION:
            return self.verify_light
        return self.light

    @property
    def shown_deadline(self) -> dt.datetime | None:
        if self.status == Status.AWAITING_VERIFICATION:
            return self.verify_by
        return self.deadline_at

    @property
    def escalation_shown(self) -> Any:
        """Who the SLA scan has told about the running clock (``escalation_level``), or "".

        The scan tells many cases at once (digest notices, one audit row per chunk); this is
        each case's own record that it escalated, shown on its page.
        """
        if self.status == Status.AWAITING_VERIFICATION:
            return _("intake clerks told: late for verification") if self.escalation_level else ""
        return ESCALATION_LABELS.get(self.escalation_level, "")

    def parked_seconds_until(self, now: dt.datetime) -> int:
        running = int((now - self.parked_at).total_seconds()) if self.parked_at else 0
        return self.parked_total_s + max(running, 0)


ESCALATION_LABELS: dict[int, Any] = {
    1: _("unit told: deadline near (yellow)"),
    2: _("unit and dispatchers told: overdue (red)"),
    3: _("bureau supervisors told: overdue for long"),
}


class CaseEvent(models.Model):
    """One row per transition: the case's own trail (the audit log has the same facts)."""

    # Indexed by ``cases_event_case_at`` (case first): no index of its own, one fewer per event.
    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="events",
        db_index=False,
    )  # fmt: skip
    at = models.DateTimeField(_("time"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("actor"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )  # fmt: skip
    action = models.CharField(_("action"), max_length=30)
    from_status = models.CharField(_("from"), max_length=30, blank=True)
    to_status = models.CharField(_("to"), max_length=30)
    reason = models.TextField(_("reason / note"), blank=True)
    data = models.JSONField(_("data"), default=dict, blank=True)

    class Meta:
        verbose_name = _("case event")
        verbose_name_plural = _("case events")
        ordering = ["case", "at", "id"]
        indexes = [models.Index(fields=["case", "at"], name="cases_event_case_at")]

    def __str__(self) -> str:
        return f"{self.case_id} {self.action} {self.from_status}→{self.to_status}"


class PhotoKind(models.TextChoices):
    BEFORE = "before", _("Before")
    AFTER = "after", _("After")
    VERIFY = "verify", _("Check on site")


def _photo_path(prefix: str) -> str:
    return f"cases/{prefix}/%Y/%m/"


class CasePhoto(BaseModel):
    """A photo as evidence. The original keeps EXIF (location) and is for staff only; the
    public copy has EXIF stripped and is the only file ever shown outside the command centre."""

    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="photos"
    )
    event = models.ForeignKey(
        CaseEvent, verbose_name=_("event"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="photos",
    )  # fmt: skip
    kind = models.CharField(_("kind"), max_length=10, choices=PhotoKind.choices)
    # Private storage, random name: see cityops.core.private_media (staff view only).
    original = models.FileField(
        _("original (staff only)"),
        storage=private_storage,
        upload_to=RandomName("cases/original"),
        max_length=200,
    )
    public = models.FileField(_("public copy"), upload_to=_photo_path("public"))
    thumbnail = models.FileField(_("thumbnail"), upload_to=_photo_path("thumb"))
    content_type = models.CharField(_("content type"), max_length=40)
    width = models.PositiveIntegerField(_("width"), default=0)
    height = models.PositiveIntegerField(_("height"), default=0)
    gps_lon = models.FloatField(_("photo longitude"), null=True, blank=True)
    gps_lat = models.FloatField(_("photo latitude"), null=True, blank=True)
    taken_at = models.DateTimeField(_("taken at"), null=True, blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )  # fmt: skip

    class Meta:
        verbose_name = _("case photo")
        verbose_name_plural = _("case photos")
        ordering = ["case", "created_at", "id"]

    def __str__(self) -> str:
        return f"{self.case_id} {self.kind} {self.sha256[:8]}"


class CaseNumberCounter(models.Model):
    """Per-day sequence for human-readable case numbers (YYYYMMDD + 5 digits)."""

    day = models.DateField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("case number counter")
        verbose_name_plural = _("case number counters")

    def __str__(self) -> str:
        return f"{self.day}: {self.last}"
