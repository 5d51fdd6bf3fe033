"""Writes of the cases domain. Import the public services from here."""

from cityops.cases.services.intake import case_find_by_tracking_code, case_report
from cityops.cases.services.payloads import PAYLOADS, Payload, payload_for
from cityops.cases.services.privacy import case_reveal_reporter
from cityops.cases.services.workflow import CaseActor, case_transition

__all__ = [
    "PAYLOADS",
    "CaseActor",
    "Payload",
    "case_find_by_tracking_code",
    "case_report",
    "case_reveal_reporter",
    "case_transition",
    "payload_for",
]
