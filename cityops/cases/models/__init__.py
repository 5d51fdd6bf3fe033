"""Case models: the catalogue (categories, limits, questions) and cases with their trail."""

from cityops.cases.models.case import (
    OPEN_STATUSES,
    SLA_STATUSES,
    TERMINAL_STATUSES,
    Case,
    CaseEvent,
    CaseNumberCounter,
    CasePhoto,
    Light,
    PhotoKind,
    Source,
    Status,
)
from cityops.cases.models.catalogue import (
    Category,
    CategoryKind,
    Question,
    QuestionKind,
    TimeLimit,
    TimeUnit,
    Urgency,
)

__all__ = [
    "OPEN_STATUSES",
    "SLA_STATUSES",
    "TERMINAL_STATUSES",
    "Case",
    "CaseEvent",
    "CaseNumberCounter",
    "CasePhoto",
    "Category",
    "CategoryKind",
    "Light",
    "PhotoKind",
    "Question",
    "QuestionKind",
    "Source",
    "Status",
    "TimeLimit",
    "TimeUnit",
    "Urgency",
]
