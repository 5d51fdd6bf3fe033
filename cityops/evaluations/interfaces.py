"""Where the monthly run gets the inputs that other parts of issue 6 will produce.

The run asks a *source* for all contracts of a month at once (one set-based call, not one per
contract). The inspections app sits above this one (its inspections are scored with our
schemes) and registers its sources from its ``AppConfig.ready`` with
``inspection_sources_register``: the monthly ``InspectionSource``
(``cityops.inspections.sources.monthly_inspections``: planned, ad hoc, 暗查 and snow acceptance
inspections) and the ``SnowInspectionSource`` of a snowfall event's acceptance inspections
(``cityops.inspections.sources.snow_event_inspections``); ``evaluations`` never imports it.
``cityops.evaluations.surveys.services.monthly_satisfaction`` is the real satisfaction source
(surveys + post-closure case feedback); ``evaluations.runs.jobs`` passes both. The case feedback
residents give on the public pages is read through the ``FeedbackSource`` the public app
registers with ``feedback_source_register`` (a domain app never imports a UI app). The defaults
below answer
"nothing recorded" (tests, direct calls, inspections not installed), so those components follow
their ``missing`` policy (by default: left out, their weight shared by the others).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Protocol

from cityops.evaluations.scoring import SensoryRating, Step


@dataclass(frozen=True)
class InspectionMonth:
    """One contract's inspection results for a month, keyed by the scheme's component codes.

    ``findings``: component → item → quantity summed over the month's inspections
    (occurrences, m², days late); a component inspected without findings is present with an
    empty mapping (full marks), an absent one had no inspection (its ``missing`` policy applies).
    ``sensory``: component → sample sections → ratings.
    ``evidence``: component → item → ids of the inspections that recorded it (sorted), so that a
    stored run allows the drill-down score → item → inspection → photo. Sensory sections are
    listed under the item code ``"sensory"``.
    """

    findings: Mapping[str, Mapping[str, Decimal]] = field(default_factory=dict)
    sensory: Mapping[str, Sequence[Sequence[SensoryRating]]] = field(default_factory=dict)
    evidence: Mapping[str, Mapping[str, Sequence[int]]] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "findings": {
                component: {item: str(qty) for item, qty in sorted(items.items())}
                for component, items in sorted(self.findings.items())
            },
            "sensory": {
                component: [
                    [
                        {"side": r.side, "inspector": r.inspector, "ratings": list(r.ratings)}
                        for r in section
                    ]
                    for section in sections
                ]
                for component, sections in sorted(self.sensory.items())
            },
            "evidence": {
                component: {item: sorted(ids) for item, ids in sorted(items.items())}
                for component, items in sorted(self.evidence.items())
            },
        }


class InspectionSource(Protocol):
    def __call__(
        self, *, contract_ids: Sequence[int], month: dt.date
    ) -> Mapping[int, InspectionMonth]: ...


class SatisfactionSource(Protocol):
    """Resident satisfaction in % (0–100) per contract, from surveys of the month."""

    def __call__(self, *, contract_ids: Sequence[int], month: dt.date) -> Mapping[int, Decimal]: ...


@dataclass(frozen=True)
class SnowInspection:
    """One submitted acceptance inspection of a snowfall event, as the snow evaluation reads it:
    the road inspected (label and road class, whose deadlines apply), when the work was seen,
    and its findings summed per ``"component/item"``."""

    pk: int
    contract_id: int
    road: str
    road_class: str
    at: dt.datetime | None
    found: Mapping[str, Decimal]


class SnowInspectionSource(Protocol):
    """The event's submitted acceptance inspections, ordered by contract then inspection."""

    def __call__(self, *, event_id: int) -> Sequence[SnowInspection]: ...


def no_inspections(*, contract_ids: Sequence[int], month: dt.date) -> Mapping[int, InspectionMonth]:
    return {}


def no_snow_inspections(*, event_id: int) -> Sequence[SnowInspection]:
    return ()


_INSPECTION_SOURCES: dict[str, str] = {}


def inspection_sources_register(*, monthly: str, snow_event: str) -> None:
    """The inspections app registers its two sources (dotted paths) in ``AppConfig.ready``."""
    _INSPECTION_SOURCES.update(monthly=monthly, snow_event=snow_event)


def inspection_source() -> InspectionSource:
    from django.utils.module_loading import import_string

    path = _INSPECTION_SOURCES.get("monthly")
    return import_string(path) if path else no_inspections  # type: ignore[no-any-return]


def snow_inspection_source() -> SnowInspectionSource:
    from django.utils.module_loading import import_string

    path = _INSPECTION_SOURCES.get("snow_event")
    return import_string(path) if path else no_snow_inspections  # type: ignore[no-any-return]


def no_surveys(*, contract_ids: Sequence[int], month: dt.date) -> Mapping[int, Decimal]:
    return {}


# --- Residents' feedback on closed cases (registered by the public app) ----------------------


@dataclass(frozen=True)
class Ratings:
    """Ratings of 1–5 given for one contract in a month: their mean and how many there were."""

    mean: Decimal
    count: int


class FeedbackSource(Protocol):
    """Post-closure case feedback per contract, counted in the month it was given."""

    def __call__(self, *, contract_ids: Sequence[int], month: dt.date) -> Mapping[int, Ratings]: ...


def no_feedback(*, contract_ids: Sequence[int], month: dt.date) -> Mapping[int, Ratings]:
    return {}


_FEEDBACK_SOURCE: dict[str, str] = {}


def feedback_source_register(path: str) -> None:
    """The public app registers its ``FeedbackSource`` (dotted path) in ``AppConfig.ready``."""
    _FEEDBACK_SOURCE["feedback"] = path


def feedback_source() -> FeedbackSource:
    from django.utils.module_loading import import_string

    path = _FEEDBACK_SOURCE.get("feedback")
    return import_string(path) if path else no_feedback  # type: ignore[no-any-return]


# --- Measured findings (other apps' measurements feeding scheme items) -----------------------


@dataclass(frozen=True)
class Measured:
    """A quantity another app measured for one contract and month, fed to every scheme item
    with the code ``item`` (e.g. the vehicles app's ``mechanised_short``: percentage points of
    mechanised work below target). ``steps`` explain it (templates registered with
    ``explain.step_template_register``); ``url`` is the page that shows it down to its parts
    (which segment was missed on which day)."""

    item: str
    quantity: Decimal
    steps: tuple[Step, ...] = ()
    url: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {"item": self.item, "quantity": str(self.quantity), "url": self.url}


class MeasureSource(Protocol):
    def __call__(
        self, *, contract_ids: Sequence[int], month: dt.date
    ) -> Mapping[int, Sequence[Measured]]: ...


_MEASURE_SOURCES: dict[str, str] = {}


def measure_source_register(name: str, path: str) -> None:
    """An app registers a ``MeasureSource`` (dotted path) in its ``AppConfig.ready``."""
    _MEASURE_SOURCES[name] = path


def measured_findings(*, contract_ids: Sequence[int], month: dt.date) -> dict[int, list[Measured]]:
    """Every registered source's measurements, per contract (one set-based call per source)."""
    from django.utils.module_loading import import_string

    out: dict[int, list[Measured]] = {}
    for name in sorted(_MEASURE_SOURCES):
        source: MeasureSource = import_string(_MEASURE_SOURCES[name])
        for contract_id, found in source(contract_ids=contract_ids, month=month).items():
            out.setdefault(contract_id, []).extend(found)
    return out
