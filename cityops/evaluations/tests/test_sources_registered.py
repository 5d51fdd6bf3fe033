"""The evaluation reads inspections only through the sources the inspections app registers
(``InspectionsConfig.ready``): evaluations sits below inspections and never imports it."""

from __future__ import annotations

from cityops.evaluations.interfaces import inspection_source, snow_inspection_source
from cityops.inspections.sources import monthly_inspections, snow_event_inspections


def test_the_inspections_app_registers_both_sources() -> None:
    assert inspection_source() is monthly_inspections
    assert snow_inspection_source() is snow_event_inspections
