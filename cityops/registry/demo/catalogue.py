"""The component (部件) catalogue: major classes 01–06 and their minor classes.

Major classes and their order, and the minor-class names, are from cn-standards.md §1.3
(CJ/T 214 / GB/T 30428.2 as seen in live systems). Only 01 公用设施, 0101 上水井盖 and
0102 污水井盖 are confirmed codes; the other minor codes follow the listed order and are
placeholders to verify against the purchased standard (❓). 05/06 minor names are typical
values from local catalogues (❓).
"""

from __future__ import annotations

from cityops.registry import models as m

MAJOR = {
    "01": "公用设施",
    "02": "道路交通",
    "03": "市容环境",
    "04": "园林绿化",
    "05": "房屋土地",
    "06": "其他设施",
}

MINOR: dict[str, tuple[str, ...]] = {
    "01": (
        "上水井盖", "污水井盖", "雨水井盖", "雨水箅子", "电力井盖", "通讯井盖", "燃气井盖",
        "热力井盖", "电视井盖", "消防井盖", "公安井盖", "路灯井盖", "无主井盖", "消火栓",
        "路灯", "通讯交接箱",
    ),
    "02": ("停车场", "公交站亭", "过街天桥", "跨河桥", "高架立交桥", "地下通道", "交通标志"),
    "03": ("公共厕所", "垃圾箱", "垃圾间", "广告牌匾"),
    "04": ("绿地", "行道树", "独立树", "古树名木", "雕塑", "喷泉"),
    "05": ("宣传栏", "人防工事", "地下室"),
    "06": ("重大危险源", "工地", "水域附属设施", "岗亭"),
}  # fmt: skip


def catalogue() -> list[tuple[str, str, str, str]]:
    """(major code, major name, minor code, minor name) rows in code order."""
    return [
        (major, MAJOR[major], f"{k:02d}", name)
        for major, minors in MINOR.items()
        for k, name in enumerate(minors, start=1)
    ]


def component_types_ensure() -> dict[str, m.ComponentType]:
    """Create the missing catalogue rows (existing ones are kept as they are); by 4-digit code."""
    existing = {t.code: t for t in m.ComponentType.objects.all()}
    missing = [
        m.ComponentType(major_code=a, major_name=b, minor_code=c, minor_name=d)
        for a, b, c, d in catalogue()
        if f"{a}{c}" not in existing
    ]
    m.ComponentType.objects.bulk_create(missing)
    return {t.code: t for t in m.ComponentType.objects.all()}
