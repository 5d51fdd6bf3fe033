"""Column headings of each evaluation table (page and XLSX share them)."""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

Column = tuple[str, Promise]

TITLES: dict[str, Promise] = {
    "street": _("Streets"),
    "community": _("Communities"),
    "unit": _("Units (departments and operators)"),
    "inspector": _("Inspectors (监督员)"),
    "intake_clerk": _("Intake clerks (受理员)"),
    "dispatcher": _("Dispatchers (派遣员)"),
    "shift_lead": _("Shift leads (值班长)"),
}

_REGION_COUNTS: list[Column] = [
    ("filed", _("Filed (立案数)")),
    ("to_close", _("To close (应结案数)")),
    ("closed", _("Closed (结案数)")),
    ("closed_on_time", _("Closed on time (按期结案数)")),
    ("public", _("Public reports (监督举报数)")),
    ("reworked", _("Reworked (返工数)")),
]
_REGION_VALUES: list[Column] = [
    ("closure_rate", _("Closure rate % (结案率)")),
    ("on_time_closure_rate", _("On-time closure rate % (按期结案率)")),
    ("rework_rate", _("Rework rate % (返工率)")),
    ("report_rate", _("Public report rate % (监督举报率)")),
    ("volume_score", _("Volume points (立案数分值)")),
]

COUNTS: dict[str, list[Column]] = {
    "street": _REGION_COUNTS,
    "community": _REGION_COUNTS,
    "unit": [
        ("dispatched", _("Dispatched (立案数)")),
        ("due", _("Due (应处置数)")),
        ("on_time", _("Handled on time (按期处置数)")),
        ("overdue", _("Overdue (超期数)")),
        ("handled", _("Handlings (处置数)")),
        ("reworks", _("Reworks (返工数)")),
        ("closed", _("Closed (结案数)")),
    ],
    "inspector": [
        ("reports", _("Reports (上报数)")),
        ("valid", _("Valid reports (有效上报数)")),
        ("verifications", _("Verifications (核实数)")),
        ("checks", _("Checks (核查数)")),
    ],
    "intake_clerk": [
        ("accepts", _("Accepted (受理数)")),
        ("filings", _("Of those filed (立案数)")),
    ],
    "dispatcher": [("dispatches", _("Dispatches (派遣数)"))],
    "shift_lead": [
        ("filings", _("Filings (立案数)")),
        ("closings", _("Closings (结案数)")),
    ],
}

VALUES: dict[str, list[Column]] = {
    "street": _REGION_VALUES,
    "community": _REGION_VALUES,
    "unit": [
        ("on_time_rate", _("On-time handling rate % (按期处置率)")),
        ("rework_rate", _("Rework rate % (返工率)")),
        ("closure_rate", _("Closure rate % (结案率)")),
        ("volume_score", _("Volume points (立案数分值)")),
    ],
    "inspector": [
        ("valid_report_rate", _("Valid report rate % (有效上报率)")),
        ("on_time_verification_rate", _("On-time verification rate % (按时核实率)")),
        ("on_time_check_rate", _("On-time check rate % (按时核查率)")),
    ],
    "intake_clerk": [
        ("on_time_accept_rate", _("On-time acceptance rate % (按时受理率)")),
        ("on_time_filing_rate", _("On-time filing rate % (按时立案率)")),
        ("volume_score", _("Volume points (受理数分值)")),
    ],
    "dispatcher": [
        ("on_time_dispatch_rate", _("On-time dispatch rate % (按时派遣率)")),
        ("accurate_dispatch_rate", _("Accurate dispatch rate % (准确派遣率)")),
        ("volume_score", _("Volume points (派遣数分值)")),
    ],
    "shift_lead": [
        ("on_time_filing_rate", _("On-time filing rate % (按时立案率)")),
        ("accurate_filing_rate", _("Accurate filing rate % (准确立案率)")),
        ("on_time_closing_rate", _("On-time closing rate % (按时结案率)")),
    ],
}
