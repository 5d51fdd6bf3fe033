"""The demo organisations: departments, the command centre, operators and property companies.

Their names and credit codes do not depend on the seed, so the demo users (accounts.demo)
find "their" organisation by its unified social credit code on every run.
"""

from __future__ import annotations

from dataclasses import dataclass

from cityops.registry import models as m
from cityops.registry.demo import names
from cityops.registry.validators import uscc_check_character

Kind = m.OrganisationKind
Service = m.ServiceType

# GB 32100-2015 prefixes: 11 = organ of state (机关), 12 = public institution (事业单位),
# 91 = enterprise; then the 6-digit administrative code of the registering authority.
ORGAN, INSTITUTION, ENTERPRISE = "11", "12", "91"


def demo_uscc(prefix: str, serial: int) -> str:
    """A valid credit code in a serial range (99xxxxxxx) that real registrations do not use."""
    body = f"{prefix}{990_000_000 + serial:09d}"
    return body + uscc_check_character(body)


@dataclass(frozen=True)
class OrgSpec:
    key: str
    name: str
    short_name: str
    kind: str
    uscc: str
    service: str = ""


def _dept(key: str, name: str, short: str, registrant: str, serial: int) -> OrgSpec:
    kind = Kind.COMMAND_CENTRE if key == "command" else Kind.DEPARTMENT
    uscc = demo_uscc(registrant, serial)
    return OrgSpec(key, names.demo(name), names.demo(short), kind, uscc)


def _operator(key: str, name: str, short: str, serial: int, service: str) -> OrgSpec:
    uscc = demo_uscc(ENTERPRISE + names.DISTRICT_CODE, serial)
    return OrgSpec(key, names.demo(name), names.demo(short), Kind.OPERATOR, uscc, service)


CITY_ORGAN, CITY_INSTITUTION = ORGAN + names.CITY_CODE, INSTITUTION + names.CITY_CODE

DEPARTMENTS = (
    _dept("urban", "通辽市城市管理综合行政执法局", "市城管局", CITY_ORGAN, 1),
    _dept("housing", "通辽市住房和城乡建设局", "市住建局", CITY_ORGAN, 2),
    _dept("municipal_dept", "通辽市市政设施管理处", "市政处", CITY_INSTITUTION, 3),
    _dept("sanitation_dept", "通辽市环境卫生管理处", "环卫处", CITY_INSTITUTION, 4),
    _dept("landscaping_dept", "通辽市园林绿化管理处", "园林处", CITY_INSTITUTION, 5),
    _dept("district_gov", "科尔沁区人民政府", "科尔沁区政府", ORGAN + names.DISTRICT_CODE, 6),
    _dept("command", "通辽市城市运行管理服务中心", "运管服中心", CITY_INSTITUTION, 7),
)

OPERATORS = (
    _operator("hw1", "通辽城发环境卫生服务有限公司", "城发环卫", 11, Service.SANITATION),
    _operator("hw2", "科尔沁洁美环境服务有限公司", "洁美环境", 12, Service.SANITATION),
    _operator("yl", "通辽绿洲园林绿化工程有限公司", "绿洲园林", 13, Service.LANDSCAPING),
    _operator("sz", "通辽路桥市政设施养护有限公司", "路桥市政", 14, Service.MUNICIPAL),
    # State-owned fallback manager (兜底物业) for compounds no company would take.
    _operator("wy0", "通辽城投物业服务有限公司", "城投物业", 15, Service.PROPERTY),
    _operator("wy1", "通辽安居物业服务有限公司", "安居物业", 16, Service.PROPERTY),
    _operator("wy2", "科尔沁嘉和物业管理有限公司", "嘉和物业", 17, Service.PROPERTY),
    _operator("wy3", "通辽恒泰物业服务有限公司", "恒泰物业", 18, Service.PROPERTY),
    _operator("wy4", "通辽和顺物业管理有限公司", "和顺物业", 19, Service.PROPERTY),
)

FALLBACK_KEY = "wy0"
SANITATION_KEYS = ("hw1", "hw2")
PROFESSIONAL_KEYS = tuple(s.key for s in OPERATORS if s.service == Service.PROPERTY)[1:]
FIXED = DEPARTMENTS + OPERATORS


def sanitation_key(group_index: int, groups: int) -> str:
    """Which sanitation company holds the lot of a street group: the last of several goes to
    the second company, so that two operators can be compared (red/black list)."""
    return SANITATION_KEYS[1] if groups > 1 and group_index == groups - 1 else SANITATION_KEYS[0]


def street_office_uscc(street_no: int) -> str:
    return demo_uscc(ORGAN + names.DISTRICT_CODE, 100 + street_no)


@dataclass
class DemoOrganisations:
    by_key: dict[str, m.Organisation]
    street_offices: dict[int, m.Organisation]  # by street number
    committees: dict[tuple[int, int], m.Organisation]  # by (street number, community number)


def organisations_create(
    streets: dict[int, m.Street], communities: dict[tuple[int, int], m.Community]
) -> DemoOrganisations:
    """Insert every demo organisation in one bulk statement."""
    fixed = [
        m.Organisation(
            kind=s.kind, operator_type=s.service, name=s.name, short_name=s.short_name, uscc=s.uscc
        )
        for s in FIXED
    ]
    offices = {
        no: m.Organisation(
            kind=Kind.STREET_OFFICE,
            name=names.demo(street.name.removesuffix(names.SUFFIX) + "办事处"),
            short_name=street.name,
            uscc=street_office_uscc(no),
            street=street,
        )
        for no, street in streets.items()
    }
    # Community committees (居民委员会) carry no credit code in the demo.
    committees = {
        key: m.Organisation(
            kind=Kind.COMMUNITY,
            name=names.demo(
                streets[key[0]].name.removesuffix(names.SUFFIX)
                + community.name.removesuffix(names.SUFFIX)
                + "居民委员会"
            ),
            short_name=community.name,
            street=streets[key[0]],
            community=community,
        )
        for key, community in communities.items()
    }
    m.Organisation.objects.bulk_create([*fixed, *offices.values(), *committees.values()])
    return DemoOrganisations(
        by_key={s.key: org for s, org in zip(FIXED, fixed, strict=True)},
        street_offices=offices,
        committees=committees,
    )
