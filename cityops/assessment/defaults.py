"""Default rules of the comprehensive evaluation (综合评价, GB/T 30428.4 style) as plain data.

Every number here is a *default* copied into the editable ``AssessmentRules`` row: the weights
and bands are ◐ (one production-style implementation, cn-standards §1.7), the step time limits
are ❓ placeholders (no national value found). Verify against the purchased standard and the
city's own 考核办法 before go-live.

Bands map a count to points on a 0–100 scale; each band has one of ``min`` (count ≥ min),
``max`` (count ≤ max) or ``below`` (count < below); the first matching band wins, else
``else``. Weights are percentages; a composite is Σ weight × value / Σ weight over the
indicators that have a value (an indicator without a denominator is left out).
"""

from __future__ import annotations

from typing import Any

# 受理数分值 (◐): ≥2001→100, ≥1201→90, ≥501→75, ≥301→60, ≥101→40, else 0.
COUNT_BANDS_UP: list[dict[str, Any]] = [
    {"min": 2001, "points": 100},
    {"min": 1201, "points": 90},
    {"min": 501, "points": 75},
    {"min": 301, "points": 60},
    {"min": 101, "points": 40},
]

DEFAULT_RULES: dict[str, Any] = {
    # A ≥ 90, B ≥ 75, C ≥ 60, D ≥ 40, E < 40 (◐ PositionService.getRatingLevel)
    "grades": [
        {"code": "A", "min": 90},
        {"code": "B", "min": 75},
        {"code": "C", "min": 60},
        {"code": "D", "min": 40},
        {"code": "E", "min": 0},
    ],
    # 环节时限 in minutes of wall-clock time from entering the step (❓ placeholders).
    "step_limits_minutes": {
        "confirm_report": 60,  # 核实
        "accept": 30,  # 受理
        "file": 30,  # 立案
        "dispatch": 30,  # 派遣
        "check": 120,  # 核查
        "close": 60,  # 结案
    },
    "region": {
        # ◐ the implementation's split sums to 70 %; the composite normalises by the sum (❓).
        "weights": {
            "report_score": 10,  # 监督举报率分值 = 100 − 监督举报率
            "closure_rate": 20,  # 结案率
            "on_time_closure_rate": 30,  # 按期结案率
            "volume_score": 10,  # 立案数分值 (per grid, by area class)
            "rework_score": 0,  # 100 − 返工率 (shown, not weighted by default)
        },
        "volume_bands": {
            "1": [
                {"below": 1, "points": 100},
                {"below": 3, "points": 90},
                {"below": 5, "points": 75},
                {"below": 7, "points": 60},
                {"below": 9, "points": 40},
            ],
            "2": [
                {"below": 1, "points": 100},
                {"below": 4, "points": 90},
                {"below": 6, "points": 75},
                {"below": 8, "points": 60},
                {"below": 10, "points": 40},
            ],
        },
        "volume_else": 0,
        "street_area_class": 1,
    },
    "unit": {
        # 立案数分值 (10 points = weight 10 × 100 %) + 结案率×30 % + 按时处置率×30 %
        # + (100−返工率)×30 %
        "weights": {
            "volume_score": 10,
            "closure_rate": 30,
            "on_time_rate": 30,
            "rework_score": 30,
        },
        "volume_bands": [
            {"max": 50, "points": 100},
            {"max": 100, "points": 90},
            {"max": 200, "points": 75},
            {"max": 500, "points": 60},
            {"max": 1000, "points": 40},
        ],
        "volume_else": 0,
    },
    "inspector": {
        # 有效上报率×40 % + 按时核实率×20 % + 按时核查率×20 % (漏报率×20 % needs grid
        # assignments of inspectors, which the platform does not record yet: left out).
        "weights": {
            "valid_report_rate": 40,
            "on_time_verification_rate": 20,
            "on_time_check_rate": 20,
        },
    },
    "intake_clerk": {
        # 受理数分值×25 % + 按时受理率×40 % + 按时立案率 (of the cases accepted)×35 %
        "weights": {"volume_score": 25, "on_time_accept_rate": 40, "on_time_filing_rate": 35},
        "volume_bands": COUNT_BANDS_UP,
        "volume_else": 0,
    },
    "dispatcher": {
        # 派遣数分值×20 % + 按时派遣率×40 % + 准确派遣率×40 % (bands ❓: those of 受理数)
        "weights": {"volume_score": 20, "on_time_dispatch_rate": 40, "accurate_dispatch_rate": 40},
        "volume_bands": COUNT_BANDS_UP,
        "volume_else": 0,
    },
    "shift_lead": {
        # 按时立案率×25 % + 准确立案率×40 % + 按时结案率×35 %
        "weights": {
            "on_time_filing_rate": 25,
            "accurate_filing_rate": 40,
            "on_time_closing_rate": 35,
        },
    },
}
