"""The case catalogue: categories (部件 / 事件 / property / snow), time limits and questions.

A category is a two-level tree: a major class (大类, 2-digit code) and its minor classes (小类,
4-digit code = major + 2 digits), after CJ/T 214 / GB/T 30428.2. Cases are filed against
minor classes only. Each minor class carries its 立结案标准: the filing condition (立案条件),
the closing condition (结案条件), the responsible service type and a handling time limit
(处置时限) per urgency. Numbers are deployment data, edited by administrators.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from cityops.core.models import BaseModel
from cityops.registry.models import ComponentType, ServiceType


class CategoryKind(models.TextChoices):
    COMPONENT = "component", _("Component")
    EVENT = "event", _("Event")
    PROPERTY = "property", _("Property")
    SNOW = "snow", _("Snow and ice")


class Urgency(models.TextChoices):
    NORMAL = "normal", _("Normal")
    URGENT = "urgent", _("Urgent")


class TimeUnit(models.TextChoices):
    """Units of a handling time limit; values match ``cityops.workcal`` unit names."""

    WORKING_HOURS = "working_hours", _("Working hours")
    WORKING_DAYS = "working_days", _("Working days")
    CALENDAR_HOURS = "calendar_hours", _("Calendar hours")


class Category(BaseModel):
    kind = models.CharField(_("kind"), max_length=20, choices=CategoryKind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("major class"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        help_text=_("Empty for a major class; the major class for a minor class."),
    )
    code = models.CharField(
        _("code"), max_length=8, help_text=_("2 digits for a major class, 4 for a minor class.")
    )
    name = models.CharField(_("name"), max_length=100)
    component_type = models.ForeignKey(
        ComponentType,
        verbose_name=_("component type"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="case_categories",
    )
    service_type = models.CharField(
        _("responsible service type"), max_length=20, choices=ServiceType.choices, blank=True
    )
    filing_condition = models.TextField(_("filing condition (立案条件)"), blank=True)
    closing_condition = models.TextField(_("closing condition (结案条件)"), blank=True)
    duplicate_radius_m = models.PositiveIntegerField(_("duplicate radius (m)"), default=50)
    duplicate_window_hours = models.PositiveIntegerField(_("duplicate window (hours)"), default=72)
    source_note = models.CharField(
        _("source of the numbers"),
        max_length=200,
        blank=True,
        help_text=_("Where the limits come from (◐ = a local default, to be confirmed)."),
    )
    active = models.BooleanField(_("active"), default=True)
    sort_order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("case category")
        verbose_name_plural = _("case categories")
        ordering = ["kind", "code"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "code"], name="cases_category_kind_code_unique")
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def is_minor(self) -> bool:
        return self.parent_id is not None

    def clean(self) -> None:
        if not self.code.isdigit():
            raise ValidationError({"code": _("A category code has digits only.")})
        if self.parent_id is None:
            if len(self.code) != 2:
                raise ValidationError({"code": _("A major class code has 2 digits.")})
            return
        parent = self.parent
        if parent is None or parent.parent_id is not None:
            raise ValidationError({"parent": _("The parent must be a major class.")})
        if parent.kind != self.kind:
            raise ValidationError({"parent": _("The major class is of another kind.")})
        if len(self.code) != 4 or not self.code.startswith(parent.code):
            raise ValidationError(
                {"code": _("A minor class code is the major code followed by 2 digits.")}
            )
        if not self.service_type:
            raise ValidationError(
                {"service_type": _("A minor class needs a responsible service type.")}
            )


class TimeLimit(BaseModel):
    """处置时限: how long the responsible unit has, per category and urgency."""

    category = models.ForeignKey(
        Category, verbose_name=_("category"), on_delete=models.CASCADE, related_name="time_limits"
    )
    urgency = models.CharField(_("urgency"), max_length=10, choices=Urgency.choices)
    amount = models.PositiveIntegerField(_("amount"))
    unit = models.CharField(_("unit"), max_length=20, choices=TimeUnit.choices)

    class Meta:
        verbose_name = _("handling time limit")
        verbose_name_plural = _("handling time limits")
        ordering = ["category", "urgency"]
        constraints = [
            models.UniqueConstraint(
                fields=["category", "urgency"], name="cases_timelimit_category_urgency_unique"
            ),
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="cases_timelimit_pos"),
        ]

    def __str__(self) -> str:
        return f"{self.get_urgency_display()}: {self.amount} {self.get_unit_display()}"


class QuestionKind(models.TextChoices):
    STRING = "string", _("Short text")
    NUMBER = "number", _("Number")
    DATETIME = "datetime", _("Date and time")
    TEXT = "text", _("Long text")
    SINGLE_CHOICE = "single_choice", _("Single choice")
    MULTIPLE_CHOICE = "multiple_choice", _("Multiple choice")


class Question(BaseModel):
    """An extra question a report of this category answers (Open311 "attributes")."""

    category = models.ForeignKey(
        Category, verbose_name=_("category"), on_delete=models.CASCADE, related_name="questions"
    )
    code = models.SlugField(_("code"), max_length=40)
    label = models.CharField(_("question"), max_length=200)
    kind = models.CharField(_("answer type"), max_length=20, choices=QuestionKind.choices)
    required = models.BooleanField(_("required"), default=False)
    choices = models.JSONField(
        _("choices"),
        default=list,
        blank=True,
        help_text=_('For choice questions: [{"code": "a", "label": "…"}, …].'),
    )
    help_text = models.CharField(_("help text"), max_length=200, blank=True)
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["category", "order", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["category", "code"], name="cases_question_category_code_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.code}: {self.label}"

    def choice_codes(self) -> list[str]:
        return [str(c.get("code")) for c in self.choices if isinstance(c, dict)]

    def clean(self) -> None:
        is_choice = self.kind in (QuestionKind.SINGLE_CHOICE, QuestionKind.MULTIPLE_CHOICE)
        if not isinstance(self.choices, list):
            raise ValidationError({"choices": _("Choices must be a list.")})
        if is_choice:
            codes = self.choice_codes()
            if not codes or len(codes) != len(self.choices):
                raise ValidationError(
                    {"choices": _("A choice question needs choices with a code and a label.")}
                )
            if len(set(codes)) != len(codes):
                raise ValidationError({"choices": _("Choice codes must be unique.")})
        elif self.choices:
            raise ValidationError({"choices": _("Only choice questions have choices.")})
