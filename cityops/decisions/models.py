"""Decisions of the mayor's office followed to done (督查督办), policy documents, task forces.

A ``Meeting`` (市长办公会议, executive, topic or task-force dispatch meeting) decides
``DecisionItem`` rows (议定事项). Each item runs through the 督办 machine of ``transitions.py``
(assigned 交办 → signed 签收 → in progress → completion reported 办结报告 → done, or returned),
carries dated ``ItemReport`` notes with attachments, ``ItemEscalation`` steps of the ladder
(催办 → 督办通知 → 挂牌督办 → 约谈), ``ExtensionRequest`` rows and linked indicators. Time
limits and the ladder's thresholds are the editable ``SupervisionSettings`` row (◐/❓ defaults of
docs/domain decisions-and-reform.md §1.3–1.4).
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from cityops.core.models import BaseModel, SettingsRow
from cityops.core.private_media import RandomName, private_storage


class SupervisionSettings(SettingsRow, models.Model):
    """The one row of editable time limits of the supervision section (pk = 1)."""

    sign_within_hours = models.PositiveSmallIntegerField(
        _("sign for within (working hours)"),
        default=8,
        help_text=_("签收 deadline after assignment; default one working day (❓)."),
    )
    default_deadline_days = models.PositiveSmallIntegerField(
        _("default deadline of a meeting's item (calendar days)"),
        default=20,
        help_text=_("Items from meeting minutes without a deadline: 20 days (◐)."),
    )
    reminder_working_days = models.PositiveSmallIntegerField(
        _("reminder (催办) when this many working days are left"), default=3
    )
    notice_late_working_days = models.PositiveSmallIntegerField(
        _("supervision notice (督办通知) when late by (working days)"), default=0
    )
    listed_late_working_days = models.PositiveSmallIntegerField(
        _("listed supervision (挂牌督办) when late by (working days)"), default=5
    )
    interview_late_working_days = models.PositiveSmallIntegerField(
        _("interview (约谈) when late by (working days)"), default=15
    )
    expiry_reminder_days = models.PositiveSmallIntegerField(
        _("remind of a document's expiry (calendar days before)"), default=90
    )
    issuing_office = models.CharField(
        _("issuing office of bulletins"), max_length=100, default="通辽市人民政府督查室"
    )

    class Meta:
        verbose_name = _("supervision settings")
        verbose_name_plural = _("supervision settings")

    def __str__(self) -> str:
        return str(_("Supervision settings"))


class MeetingKind(models.TextChoices):
    MAYOR_OFFICE = "mayor_office", _("Mayor's office meeting (市长办公会议)")
    EXECUTIVE = "executive", _("Executive meeting (常务会议)")
    TOPIC = "topic", _("Topic meeting (专题会议)")
    DISPATCH = "dispatch", _("Task-force dispatch meeting (专班调度会)")


class TaskForce(BaseModel):
    """工作专班: a standing team for one reform, with members and dispatch meetings."""

    name = models.CharField(_("name"), max_length=150, unique=True)
    lead_unit = models.ForeignKey(
        "registry.Organisation",
        verbose_name=_("lead unit"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    established_on = models.DateField(_("established on"))
    mandate = models.TextField(_("mandate"), blank=True)

    class Meta:
        verbose_name = _("task force")
        verbose_name_plural = _("task forces")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class MemberRole(models.TextChoices):
    LEADER = "leader", _("Leader (组长)")
    DEPUTY = "deputy", _("Deputy (副组长)")
    MEMBER = "member", _("Member (成员)")
    LIAISON = "liaison", _("Liaison (联络员)")


class TaskForceMember(BaseModel):
    task_force = models.ForeignKey(
        TaskForce, verbose_name=_("task force"), on_delete=models.CASCADE, related_name="members"
    )
    person = models.CharField(_("person"), max_length=60)
    unit = models.ForeignKey(
        "registry.Organisation", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    role = models.CharField(_("role"), max_length=10, choices=MemberRole.choices)

    class Meta:
        verbose_name = _("task-force member")
        verbose_name_plural = _("task-force members")
        ordering = ["task_force", "role", "id"]

    def __str__(self) -> str:
        return f"{self.person} ({self.get_role_display()})"


class Meeting(BaseModel):
    kind = models.CharField(_("kind"), max_length=20, choices=MeetingKind.choices)
    number = models.CharField(_("number"), max_length=40, help_text=_("e.g. 2021年第12次"))
    held_on = models.DateField(_("held on"))
    chair = models.CharField(_("chair"), max_length=60)
    attendees = models.TextField(_("attendees"), blank=True)
    topics = models.TextField(_("topics"), blank=True)
    minutes_number = models.CharField(
        _("minutes' document number (会议纪要)"), max_length=60, blank=True
    )
    task_force = models.ForeignKey(
        TaskForce,
        verbose_name=_("task force"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="meetings",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["-held_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "number"], name="decisions_meeting_number")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.number}"


class DocumentStatus(models.TextChoices):
    DRAFT = "draft", _("Drafting")
    CONSULTATION = "consultation", _("Consultation (征求意见)")
    REVIEW = "review", _("Legality review (合法性审核)")
    APPROVED = "approved", _("Approved")
    ISSUED = "issued", _("Issued")
    EXPIRED = "expired", _("Expired")
    REPEALED = "repealed", _("Repealed")


class PolicyDocument(BaseModel):
    """A policy document (实施意见, 实施方案 …) from its drafts to its issuance and expiry."""

    title = models.CharField(_("title"), max_length=200)
    doc_type = models.CharField(_("type (公文种类)"), max_length=10, default="意见")
    drafting_unit = models.ForeignKey(
        "registry.Organisation",
        verbose_name=_("drafting unit"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    status = models.CharField(
        _("status"), max_length=20, choices=DocumentStatus.choices, default=DocumentStatus.DRAFT
    )
    normative = models.BooleanField(_("normative document (规范性文件)"), default=True)
    legality_passed = models.BooleanField(_("legality review passed"), default=False)
    legality_note = models.TextField(_("legality review opinion"), blank=True)
    approved_by = models.ForeignKey(
        Meeting,
        verbose_name=_("approved by meeting"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="approved_documents",
    )
    number = models.CharField(_("document number (文号)"), max_length=60, blank=True)
    issued_on = models.DateField(_("issued on"), null=True, blank=True)
    effective_on = models.DateField(_("effective on"), null=True, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    expiry_reminded_on = models.DateField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("policy document")
        verbose_name_plural = _("policy documents")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["number"], condition=~models.Q(number=""), name="decisions_document_number"
            )
        ]

    def __str__(self) -> str:
        return f"《{self.title}》（{self.number}）" if self.number else f"《{self.title}》"


class DocumentVersion(BaseModel):
    document = models.ForeignKey(PolicyDocument, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveSmallIntegerField(_("version"))
    file = models.FileField(
        _("file"), storage=private_storage, upload_to=RandomName("decisions/documents")
    )
    name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=60)
    size = models.PositiveIntegerField(default=0)
    note = models.CharField(_("note"), max_length=300, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["document", "number"]
        constraints = [
            models.UniqueConstraint(fields=["document", "number"], name="decisions_version_no")
        ]


class ConsultationRound(BaseModel):
    document = models.ForeignKey(PolicyDocument, on_delete=models.CASCADE, related_name="rounds")
    number = models.PositiveSmallIntegerField(_("round"))
    opens_on = models.DateField(_("opens on"))
    closes_on = models.DateField(_("closes on"))

    class Meta:
        ordering = ["document", "number"]
        constraints = [
            models.UniqueConstraint(fields=["document", "number"], name="decisions_round_no")
        ]


class Answer(models.TextChoices):
    PENDING = "pending", _("Not yet answered")
    ADOPTED = "adopted", _("Adopted")
    PARTLY = "partly", _("Partly adopted")
    NOT_ADOPTED = "not_adopted", _("Not adopted")


class ConsultationComment(BaseModel):
    round = models.ForeignKey(ConsultationRound, on_delete=models.CASCADE, related_name="comments")
    unit = models.ForeignKey(
        "registry.Organisation", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    text = models.TextField(_("comment"))
    answer = models.CharField(
        _("answer"), max_length=12, choices=Answer.choices, default=Answer.PENDING
    )
    answer_reason = models.TextField(_("reasons"), blank=True)

    class Meta:
        ordering = ["round", "id"]


class ItemKind(models.TextChoices):
    DOCUMENT = "document", _("Issue a document")
    CAMPAIGN = "campaign", _("Run a campaign")
    REFORM = "reform", _("Reform step")
    PROCUREMENT = "procurement", _("Procurement")
    SYSTEM = "system", _("Build a system")
    OTHER = "other", _("Other")


class ItemStatus(models.TextChoices):
    ASSIGNED = "assigned", _("Assigned (交办)")
    SIGNED = "signed", _("Signed for (签收)")
    IN_PROGRESS = "in_progress", _("In progress")
    REPORTED = "reported", _("Completion reported (办结报告)")
    DONE = "done", _("Done (办结)")
    SUSPENDED = "suspended", _("Suspended (挂账)")
    CANCELLED = "cancelled", _("Cancelled")


OPEN_STATUSES = (
    ItemStatus.ASSIGNED,
    ItemStatus.SIGNED,
    ItemStatus.IN_PROGRESS,
    ItemStatus.REPORTED,
)


class Rhythm(models.TextChoices):
    WEEKLY = "weekly", _("Weekly")
    FORTNIGHTLY = "fortnightly", _("Fortnightly")
    MONTHLY = "monthly", _("Monthly")


RHYTHM_DAYS = {Rhythm.WEEKLY: 7, Rhythm.FORTNIGHTLY: 14, Rhythm.MONTHLY: 30}


class DeadlineKind(models.TextChoices):
    DATE = "date", _("A date")
    WORKING_DAYS = "working_days", _("Working days after assignment")


class Level(models.IntegerChoices):
    NONE = 0, _("None")
    REMINDER = 1, _("Reminder (催办)")
    NOTICE = 2, _("Supervision notice (督办通知)")
    LISTED = 3, _("Listed supervision (挂牌督办)")
    INTERVIEW = 4, _("Interview (约谈)")


class DecisionItem(BaseModel):
    """议定事项: one decided task, one lead unit, one deadline (一事一项)."""

    meeting = models.ForeignKey(
        Meeting, verbose_name=_("meeting"), on_delete=models.PROTECT, related_name="items"
    )
    serial = models.PositiveSmallIntegerField(_("serial"))
    text = models.TextField(_("decision"))
    kind = models.CharField(_("kind"), max_length=12, choices=ItemKind.choices)
    lead_unit = models.ForeignKey(
        "registry.Organisation",
        verbose_name=_("lead unit (牵头单位)"),
        on_delete=models.PROTECT,
        related_name="decision_items",
    )
    co_units = models.ManyToManyField(
        "registry.Organisation",
        verbose_name=_("co-units (配合单位)"),
        blank=True,
        related_name="decision_items_co",
    )
    leader = models.CharField(_("responsible leader"), max_length=60, blank=True)
    deadline_kind = models.CharField(
        _("deadline"), max_length=12, choices=DeadlineKind.choices, default=DeadlineKind.DATE
    )
    deadline_date = models.DateField(_("deadline date"), null=True, blank=True)
    deadline_working_days = models.PositiveSmallIntegerField(
        _("deadline (working days)"), null=True, blank=True
    )
    rhythm = models.CharField(
        _("reporting rhythm"), max_length=12, choices=Rhythm.choices, default=Rhythm.MONTHLY
    )
    evidence_required = models.TextField(_("evidence that proves it done"), blank=True)
    document = models.ForeignKey(
        PolicyDocument,
        verbose_name=_("document to issue"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="items",
    )
    task_force = models.ForeignKey(
        TaskForce,
        verbose_name=_("task force"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="set_up_by",
    )
    status = models.CharField(
        _("status"), max_length=12, choices=ItemStatus.choices, default=ItemStatus.ASSIGNED
    )
    assigned_at = models.DateTimeField(_("assigned at"))
    sign_due_at = models.DateTimeField(_("sign for by"))
    signed_at = models.DateTimeField(_("signed at"), null=True, blank=True)
    due_at = models.DateTimeField(_("due at"))
    next_report_due_at = models.DateTimeField(_("next progress report due"), null=True, blank=True)
    reported_at = models.DateTimeField(_("completion reported at"), null=True, blank=True)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    suspended_at = models.DateTimeField(_("suspended at"), null=True, blank=True)
    escalation_level = models.PositiveSmallIntegerField(
        _("escalation"), choices=Level.choices, default=Level.NONE
    )
    cancelled_by = models.ForeignKey(
        Meeting,
        verbose_name=_("cancelled by meeting"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cancelled_items",
    )
    status_reason = models.TextField(_("reason of the last decision"), blank=True)

    class Meta:
        verbose_name = _("decision item")
        verbose_name_plural = _("decision items")
        ordering = ["meeting", "serial"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "serial"], name="decisions_item_serial")
        ]
        indexes = [models.Index(fields=["status", "due_at"], name="decisions_item_open")]

    def __str__(self) -> str:
        return f"{self.meeting.number}-{self.serial} {self.text[:40]}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def is_listed(self) -> bool:
        return self.escalation_level >= Level.LISTED


class Milestone(BaseModel):
    item = models.ForeignKey(DecisionItem, on_delete=models.CASCADE, related_name="milestones")
    due_on = models.DateField(_("due on"))
    text = models.CharField(_("milestone"), max_length=200)

    class Meta:
        ordering = ["item", "due_on", "id"]


class ReportKind(models.TextChoices):
    PLAN = "plan", _("Work plan")
    PROGRESS = "progress", _("Progress report")
    COMPLETION = "completion", _("Completion report (办结报告)")


class ItemReport(BaseModel):
    """A dated note of the lead unit: its plan, a progress report or the completion report."""

    item = models.ForeignKey(DecisionItem, on_delete=models.CASCADE, related_name="reports")
    kind = models.CharField(_("kind"), max_length=12, choices=ReportKind.choices)
    text = models.TextField(_("text"))
    percent_done = models.PositiveSmallIntegerField(_("done (%)"), null=True, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["item", "created_at", "id"]


class ReportAttachment(BaseModel):
    report = models.ForeignKey(ItemReport, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(storage=private_storage, upload_to=RandomName("decisions/reports"))
    name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=60)
    size = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["report", "id"]


class ItemEscalation(BaseModel):
    """One rung of the ladder reached by an item; an interview (约谈) carries its record."""

    item = models.ForeignKey(DecisionItem, on_delete=models.CASCADE, related_name="escalations")
    level = models.PositiveSmallIntegerField(_("level"), choices=Level.choices)
    reason = models.CharField(_("reason"), max_length=300)
    late_working_days = models.DecimalField(max_digits=7, decimal_places=2, default=Decimal(0))
    record = models.TextField(_("interview record"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["item", "created_at", "id"]


class ExtensionStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    APPROVED = "approved", _("Approved")
    REFUSED = "refused", _("Refused")


class ExtensionRequest(BaseModel):
    item = models.ForeignKey(DecisionItem, on_delete=models.CASCADE, related_name="extensions")
    requested_until = models.DateField(_("new deadline"))
    reason = models.TextField(_("reason"))
    status = models.CharField(
        max_length=10, choices=ExtensionStatus.choices, default=ExtensionStatus.PENDING
    )
    decision_reason = models.TextField(_("decision"), blank=True)
    previous_due_at = models.DateTimeField(null=True, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["item", "-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["item"],
                condition=models.Q(status="pending"),
                name="decisions_one_pending_extension",
            )
        ]


class IndicatorLink(BaseModel):
    """An indicator of ``indicators.REGISTRY`` that measures an item, with its target."""

    item = models.ForeignKey(DecisionItem, on_delete=models.CASCADE, related_name="indicators")
    code = models.CharField(_("indicator"), max_length=40)
    target = models.DecimalField(_("target"), max_digits=12, decimal_places=2)
    target_on = models.DateField(_("by"))

    class Meta:
        ordering = ["item", "code"]
        constraints = [
            models.UniqueConstraint(fields=["item", "code"], name="decisions_indicator_once")
        ]


class IndicatorSnapshot(models.Model):
    """The daily value of one indicator (trends; taken by the ``indicator_snapshots`` job)."""

    code = models.CharField(max_length=40)
    day = models.DateField()
    value = models.DecimalField(max_digits=14, decimal_places=2)

    class Meta:
        ordering = ["code", "day"]
        constraints = [
            models.UniqueConstraint(fields=["code", "day"], name="decisions_snapshot_day")
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.day}: {self.value}"
