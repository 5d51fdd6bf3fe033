"""Fixed identity of the demo district: codes, location, name pools and the demo marker.

Names are plausible for Tongliao (east–west avenues are 大街, north–south roads are 路) but
every record carries the ``(演示)`` suffix or a ``DEMO-`` code so nobody mistakes it for
real data.
"""

from __future__ import annotations

from collections.abc import Sequence

CITY_CODE = "150500"  # 通辽市 (GB/T 2260)
DISTRICT_CODE = "150502"  # 科尔沁区
CENTRE_LON, CENTRE_LAT = 122.26, 43.62
SUFFIX = "(演示)"
CODE_PREFIX = "DEMO-"

CITY_NAME = "通辽市"
DISTRICT_NAME = "科尔沁区"

STREETS = (
    "科尔沁", "明仁", "永清", "和平", "红星", "西门", "施介", "团结",
    "建国", "东郊", "铁南", "钱家店", "育新", "新城", "北苑", "南苑",
)  # fmt: skip

COMMUNITIES = (
    "和平", "民主", "胜利", "育新", "新华", "光明", "幸福", "福安", "兴隆", "长青",
    "康宁", "锦绣", "朝阳", "建新", "文化", "前进", "春晖", "东升", "丰收", "瑞丰",
    "广厦", "安泰", "祥和", "金桥", "银河", "青年", "平安", "振兴", "富强", "和谐",
    "兴安", "永安", "红光", "曙光", "阳光", "北苑", "南苑", "西苑", "东苑", "水岸",
)  # fmt: skip

AVENUES = (  # east–west
    "西拉木伦", "科尔沁", "霍林河", "明仁", "永清", "滨河", "新华", "创业",
    "哲里木", "和平", "希望", "世纪", "腾飞", "孝庄河",
)  # fmt: skip

ROADS = (  # north–south
    "建国", "胜利", "和平", "民主", "交通", "新工", "红星", "团结", "光明",
    "育新", "前进", "解放", "铁路", "工业", "园丁", "公园",
)  # fmt: skip

COMPOUND_NEW = (
    "锦华", "金泰", "丽景", "阳光", "翠苑", "御景", "世纪", "天河", "富华", "水岸",
    "紫金", "碧桂", "康城", "盛世", "恒大", "名都", "凤凰", "龙腾", "书香", "鑫城",
)  # fmt: skip
COMPOUND_NEW_KINDS = ("花园", "家园", "苑", "小区", "华府", "名苑")
COMPOUND_OLD = (
    "铁路", "粮食局", "电业局", "纺织厂", "供销社", "二中", "医院", "糖厂", "制药厂",
    "建安", "百货", "农机", "税务", "邮电", "水泥厂", "面粉厂",
)  # fmt: skip
COMPOUND_OLD_KINDS = ("家属院", "宿舍", "小区", "住宅楼")

PARKS = ("人民公园", "孝庄河公园", "西辽河公园", "科尔沁公园", "青年公园", "博王府广场")


def demo(name: str) -> str:
    """Mark a name as demo data."""
    return f"{name}{SUFFIX}"


_NUMERALS = "一二三四五六七八九十"


def numeral(n: int) -> str:
    """Chinese numeral for 1..99 (二期, 三巷 …)."""
    if n <= 10:
        return _NUMERALS[n - 1]
    tens, units = divmod(n, 10)
    return (
        (_NUMERALS[tens - 1] if tens > 1 else "") + "十" + (_NUMERALS[units - 1] if units else "")
    )


def pick(pool: Sequence[str], index: int) -> str:
    """The index-th name of a pool; wraps around with a numeral so names stay unique."""
    base = pool[index % len(pool)]
    lap = index // len(pool)
    return base if lap == 0 else f"{base}{numeral(lap + 1)}"
