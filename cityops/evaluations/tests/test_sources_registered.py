"""The evaluation reads inspections only through the sources the inspections app registers
(``InspectionsConfig.ready``): evaluations sits below inspections and never imports it."""

from __future__ import annotations

from cityops.evaluations.interfaces import (
    feedback_source,
    inspection_source,
    snow_inspection_source,
)
from cityops.inspections.sources import monthly_inspections, snow_event_inspections
from cityops.public.sources import monthly_feedback


def test_the_inspections_app_registers_both_sources() -> None:
    assert inspection_source() is monthly_inspections
    assert snow_inspection_source() is snow_event_inspections


def test_the_public_app_registers_the_feedback_source() -> None:
    """Residents' case feedback reaches the satisfaction component through the source the
    public app registers (``PublicConfig.ready``): evaluations never imports a UI app."""
    assert feedback_source() is monthly_feedback
