"""Built-in demo schemes (version 1 of each family), loaded by ``manage.py load_demo_schemes``.

Every number is a default taken from ``cn-standards.md`` (source in the item's comment, with its
confidence mark) or, where no source gave one, a placeholder marked ❓ in the scheme's notes:
the city edits them as a new version, never in code.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction

from cityops.evaluations.models import SchemeFamily, SchemeScope
from cityops.evaluations.schemes.services import scheme_create, scheme_publish

DEMO_VALID_FROM = dt.date(2025, 1, 1)

BANDS = [  # §3.3 "typical bands" (❓ no Tongliao band found)
    {"code": "excellent", "name": "优秀", "min": 90},
    {"code": "good", "name": "良好", "min": 80},
    {"code": "pass", "name": "合格", "min": 70},
    {"code": "fail", "name": "不合格", "min": 0},
]

# §3.3 集镇保洁服务项目考核办法 (✅): pass mark 90, 5 % per point, 2 % per unfixed verified
# complaint, 10 % county-level and 20 % city-level media exposure. The 30 % cap is ❓.
PAYMENT: dict[str, Any] = {
    "pass_mark": 90,
    "percent_per_point": 5,
    "cap_percent": 30,
    "penalties": [
        {"code": "complaint_unfixed", "name": "核实投诉未按时整改（每件）", "percent": 2},
        {"code": "media_county", "name": "县级通报批评或媒体曝光（每次）", "percent": 10},
        {"code": "media_city", "name": "市级及以上通报批评或媒体曝光（每次）", "percent": 20},
    ],
}

CASES = {  # §1.7 专业部门 formula (◐); points per overdue case / complaint ❓
    "code": "cases",
    "name": "案件处置",
    "kind": "cases",
    "weight": 30,
    "items": [
        {"code": "overdue", "name": "超期处置（每件）", "points": 1, "cap": 20},
        {"code": "verified_complaint", "name": "核实的群众投诉（每件）", "points": 2, "cap": 20},
    ],
}

SATISFACTION = {
    "code": "satisfaction",
    "name": "群众满意度",
    "kind": "satisfaction",
    "weight": 20,
}

ROAD_CLEANING: dict[str, Any] = {
    "notes": "道路清扫保洁：感官评价法 C = 6·C1 + 6·C2 + 4·C3 + 4·C4（§3.1 ◐）；"
    "扣分项 §3.2/§3.3；封顶 30 % 与一票否决项为占位（❓）。",
    "components": [
        {
            "code": "roadway",
            "name": "道路保洁质量（感官评价）",
            "kind": "sensory",
            "weight": 50,
            "config": {"coefficients": [6, 6, 4, 4], "max_rating": 5},
            "items": [
                {
                    "code": "exposed_garbage",
                    "name": "路面暴露垃圾、污水（每处）",
                    "points": 2,
                    "cap": 10,
                },  # §3.3 ✅ "−2 per place, floor 0"
                {
                    "code": "pile_over_1h",
                    "name": "清扫垃圾滞留超过1小时（每处）",
                    "points": 2,
                    "cap": 10,
                },  # §3.2 dwell ≤ 1 h ✅, points ❓
                {"code": "bin_overflow", "name": "垃圾桶满溢（每处）", "points": 1, "cap": 10},
                {
                    "code": "mechanised_short",
                    "name": "机械化作业率低于95%（每差1%）",
                    "points": 3,
                },  # §3.2 ✅ local; fed by telematics later
                {"code": "safety_accident", "name": "重大安全责任事故", "veto": True},
            ],
        },
        CASES,
        SATISFACTION,
    ],
    "bands": BANDS,
    "payment": PAYMENT,
}


def landscaping(grade: int) -> dict[str, Any]:
    """§4: stricter points for higher grades (一级 strictest); the spread is ❓."""
    weeds, clippings, tree = {1: (5, 5, 10), 2: (3, 3, 8), 3: (2, 2, 5)}[grade]
    return {
        "notes": f"园林绿化{grade}级养护（§4 ✅ 扣分示例；分级差异为占位 ❓）。",
        "components": [
            {
                "code": "greenery",
                "name": "绿地养护质量",
                "kind": "checklist",
                "weight": 50,
                "items": [
                    {
                        "code": "lawn_coverage_short",
                        "name": "草坪覆盖率不达标（每差1%）",
                        "points": 1,
                        "cap": 20,
                    },
                    {
                        "code": "weeds_pests",
                        "name": "草坪杂草或病虫害超过1平方米（每平方米）",
                        "rule": "per_m2",
                        "points": weeds,
                        "cap": 20,
                    },
                    {"code": "dead_tree", "name": "养护不当致树木死亡（每株）", "points": tree},
                    {"code": "missing_tree", "name": "行道树缺株（每株）", "points": 2, "cap": 20},
                    {"code": "pruning", "name": "修剪不及时（每处）", "points": 2, "cap": 10},
                    {
                        "code": "clippings_left",
                        "name": "绿化垃圾滞留（每超1天）",
                        "rule": "per_day_late",
                        "points": clippings,
                        "cap": 20,
                    },
                    {
                        "code": "replant_late",
                        "name": "补植超期（每超1天）",
                        "rule": "per_day_late",
                        "points": 2,
                        "cap": 20,
                    },
                ],
            },
            CASES,
            SATISFACTION,
        ],
        "bands": BANDS,
        "payment": {
            **PAYMENT,
            "penalties": [
                *PAYMENT["penalties"],
                {"code": "lawn_unmaintained_30", "name": "30%以上草坪未养护", "percent": 40},
                {"code": "hedges_unpruned_50", "name": "50%以上绿篱未修剪", "percent": 10},
            ],
        },
    }


PROPERTY: dict[str, Any] = {
    "notes": "物业服务（每个小区，日后计入企业信用评价）；分值为占位（❓）。",
    "components": [
        {
            "code": "service",
            "name": "物业服务质量",
            "kind": "checklist",
            "weight": 50,
            "items": [
                {"code": "cleanliness", "name": "公共区域不洁（每处）", "points": 2, "cap": 20},
                {"code": "security", "name": "门岗巡逻缺失（每次）", "points": 2, "cap": 20},
                {"code": "facilities", "name": "共用设施损坏未修（每处）", "points": 2, "cap": 20},
                {"code": "elevator", "name": "电梯未按期维保（每部）", "points": 5, "cap": 20},
                {"code": "elevator_accident", "name": "电梯责任事故", "veto": True},
            ],
        },
        {**CASES, "name": "投诉处理"},
        SATISFACTION,
    ],
    "bands": BANDS,
    "payment": PAYMENT,
}

SNOW_REMOVAL: dict[str, Any] = {
    "notes": "除雪：每次降雪按道路等级验收，清雪/外运时限见 §6（许昌 2024、哈尔滨 ✅），"
    "通辽合同条款未找到（❓）。",
    "components": [
        {
            "code": "clearing",
            "name": "清雪与外运",
            "kind": "checklist",
            "weight": 70,
            "items": [
                {
                    "code": "clear_late",
                    "name": "清雪超时（每路段每超1天）",
                    "rule": "per_day_late",
                    "points": 5,
                    "cap": 30,
                },
                {
                    "code": "haul_late",
                    "name": "外运超时（每路段每超1天）",
                    "rule": "per_day_late",
                    "points": 3,
                    "cap": 30,
                },
            ],
        },
        {
            "code": "acceptance",
            "name": "验收项目",
            "kind": "checklist",
            "weight": 30,
            "items": [
                # snow_left: found after the road's deadline, the days late are derived
                {
                    "code": "no_black_surface",
                    "name": "机动车道未见黑色路面（每处）",
                    "points": 3,
                    "snow_left": "clear",
                },
                {
                    "code": "lane_lines_hidden",
                    "name": "道线不可见（每处）",
                    "points": 2,
                    "snow_left": "clear",
                },
                {
                    "code": "piles_bus_stop",
                    "name": "公交站点存雪堆（每处）",
                    "points": 2,
                    "snow_left": "haul",
                },
            ],
        },
    ],
    "bands": BANDS,
    "payment": PAYMENT,
}

FAMILIES: list[dict[str, Any]] = [
    {"code": "road-cleaning", "name": "道路清扫保洁考评", "service_type": "sanitation",
     "spec": ROAD_CLEANING},
    *(
        {"code": f"landscaping-grade-{g}", "name": f"园林绿化{'一二三'[g - 1]}级养护考评",
         "service_type": "landscaping", "maintenance_grade": g, "spec": landscaping(g)}
        for g in (1, 2, 3)
    ),
    {"code": "property-service", "name": "物业服务考评", "service_type": "property",
     "spec": PROPERTY},
    {"code": "snow-removal", "name": "除雪作业考评", "service_type": "sanitation",
     "scope": SchemeScope.SNOW_EVENT, "spec": SNOW_REMOVAL},
]  # fmt: skip


@transaction.atomic
def load_demo_schemes(*, actor: Any = None) -> tuple[int, int]:
    """Create and publish version 1 of each demo family that has no version yet.

    Idempotent: a family that already has versions (possibly edited by the city) is left alone.
    Returns (created, skipped).
    """
    created = skipped = 0
    for entry in FAMILIES:
        family, _new = SchemeFamily.objects.get_or_create(
            code=entry["code"],
            defaults={
                "name": entry["name"],
                "service_type": entry["service_type"],
                "maintenance_grade": entry.get("maintenance_grade"),
                "scope": entry.get("scope", SchemeScope.MONTHLY),
            },
        )
        if family.versions.exists():
            skipped += 1
            continue
        scheme = scheme_create(family_id=family.pk, spec=entry["spec"], valid_from=DEMO_VALID_FROM)
        scheme_publish(scheme_id=scheme.pk, actor=actor)
        created += 1
    return created, skipped
