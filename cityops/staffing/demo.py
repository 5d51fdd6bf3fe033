"""Demo data of the staff transfer (``make demo`` step ``staffing``): three former units with
~200 people at different steps, three batches by difficulty (先易后难), and some blocked: pay
cuts without an approved reason and internal early retirements the statutory retirement date
forbids. Deterministic from the seed; idempotent (kept when present, rebuilt with --reset).

Rows are built in memory with the pure cores (``retirement``, ``rules``: the same flags the
services compute) and bulk-inserted in one transaction with one audit event.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from cityops.core.audit import audit_record
from cityops.core.management.demo_steps import DemoContext
from cityops.staffing import retirement as ret
from cityops.staffing.models import (
    OPTION_STEPS,
    Batch,
    DifficultyClass,
    FormerUnit,
    Option,
    PayItem,
    RetirementCategory,
    Sex,
    StaffMember,
    UnitKind,
)
from cityops.staffing.models import (
    EstablishmentType as E,
)
from cityops.staffing.models import (
    StaffStatus as S,
)
from cityops.staffing.rules import PayLine, staff_flags
from cityops.staffing.selectors import retirement_rules, staffing_limits

UNITS = (
    ("hw", "中心城区环卫管理处", UnitKind.SANITATION, 90),
    ("sz", "中心城区市政设施管理处", UnitKind.MUNICIPAL, 55),
    ("yl", "中心城区园林绿化管理处", UnitKind.LANDSCAPING, 55),
)
CLASSES = (
    ("easy", "易：编外及自愿转入", 1, "编外合同制、劳务派遣及自愿转入企业人员"),
    ("medium", "中：事业编随业务划转", 2, "事业编制人员随业务转入或保留身份派驻"),
    ("hard", "难：临近退休及参公人员", 3, "临近退休（内部退养）、参公及有争议人员"),
)
BATCHES = (
    ("b1", "第一批", "easy", dt.date(2026, 9, 1), dt.date(2026, 11, 30)),
    ("b2", "第二批", "medium", dt.date(2026, 12, 1), dt.date(2027, 3, 31)),
    ("b3", "第三批", "hard", dt.date(2027, 4, 1), dt.date(2027, 8, 31)),
)
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂华玉萍鹏辉红梅海燕乌云"
PAY_ITEMS = (("岗位工资", 1800), ("薪级工资", 900), ("绩效工资", 1500), ("津贴补贴", 600))
STEPS_ORDER = [s.value for s in S]
TARGETS = {  # batch → weighted steps
    "b1": [(S.COMPLETED, 6), (S.PAYROLL, 2), (S.ADJUSTED, 1), (S.APPROVED, 1)],
    "b2": [(S.SIGNED, 3), (S.APPROVED, 3), (S.ADJUSTED, 2), (S.TALKED, 2)],
    "b3": [(S.REGISTERED, 4), (S.TALKED, 3), (S.SIGNED, 3)],
}
FORCED_PAY_CUTS = 6
FORCED_EARLY_LEAVE = 4


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def _plan() -> tuple[dict[str, FormerUnit], dict[str, Batch]]:
    units = {}
    for code, name, kind, _n in UNITS:
        units[code], _c = FormerUnit.objects.get_or_create(
            code=code, defaults={"name": name, "kind": kind}
        )
    classes = {}
    for code, name, rank, text in CLASSES:
        classes[code], _c = DifficultyClass.objects.get_or_create(
            code=code, defaults={"name": name, "rank": rank, "description": text}
        )
    batches = {}
    for code, name, cls, start, end in BATCHES:
        batches[code], _c = Batch.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "difficulty": classes[cls],
                "planned_start": start,
                "planned_end": end,
            },
        )
    return units, batches


def _person(rng: random.Random, unit: FormerUnit, n: int) -> dict[str, Any]:
    kind = rng.choices(
        [
            E.CONTRACT,
            E.DISPATCHED,
            E.FULLY_FUNDED,
            E.PARTLY_FUNDED,
            E.SELF_FUNDED,
            E.CIVIL_SERVANT_LIKE,
            E.ADMINISTRATIVE,
        ],
        weights=[22, 10, 14, 14, 22, 10, 8],
    )[0]
    sex = Sex.MALE if rng.random() < 0.6 else Sex.FEMALE
    cadre = kind in (E.ADMINISTRATIVE, E.CIVIL_SERVANT_LIKE) or rng.random() < 0.2
    category = (
        RetirementCategory.MEN
        if sex == Sex.MALE
        else (RetirementCategory.WOMEN_55 if cadre else RetirementCategory.WOMEN_50)
    )
    birth = dt.date(rng.randint(1966, 2002), rng.randint(1, 12), rng.randint(1, 28))
    start_age = rng.randint(18, 26)
    service = dt.date(min(birth.year + start_age, 2025), rng.randint(1, 12), 1)
    return {
        "unit": unit,
        "staff_no": f"{unit.code.upper()}{n:04d}",
        "name": _name(rng),
        "sex": sex,
        "category": category,
        "birth": birth,
        "service": service,
        "kind": kind,
        "post": rng.choice(
            ["保洁员", "清运司机", "养护工", "绿化工", "技术员", "管理员", "班组长"]
        ),
    }


def _batch_code(p: dict[str, Any], retirement: dt.date) -> str:
    if retirement <= dt.date(2031, 8, 31) or p["kind"] in (E.ADMINISTRATIVE, E.CIVIL_SERVANT_LIKE):
        return "b3"
    if p["kind"] in (E.CONTRACT, E.DISPATCHED):
        return "b1"
    return "b2"


def _option(rng: random.Random, batch: str, p: dict[str, Any], near: bool) -> str:
    if batch == "b1":
        return Option.OPERATOR_CONTRACT
    if batch == "b2":
        return rng.choices(
            [Option.OPERATOR_CONTRACT, Option.SECONDED, Option.OTHER_UNIT, Option.OWN_CHOICE],
            weights=[6, 2, 1, 1],
        )[0]
    if near:
        return Option.EARLY_LEAVE
    return rng.choice([Option.OTHER_UNIT, Option.SECONDED])


def demo_staff_build(*, seed: int) -> dict[str, int]:
    rng = random.Random(f"{seed}:staffing")  # noqa: S311 (demo data, not secrets)
    units, batches = _plan()
    rules = retirement_rules()
    limits = staffing_limits()
    members: list[StaffMember] = []
    pay_rows: list[list[tuple[str, Decimal, Decimal | None]]] = []
    forced_cut = forced_early = 0
    for code, *_rest, count in UNITS:
        for n in range(1, count + 1):
            p = _person(rng, units[code], n)
            retirement = ret.retirement_date(p["birth"], rules[p["category"]])
            bcode = _batch_code(p, retirement)
            batch = batches[bcode]
            near = ret.months_between(batch.planned_end, retirement) <= 60
            target = rng.choices(*zip(*TARGETS[bcode], strict=True))[0]
            chosen = target not in (S.REGISTERED, S.TALKED)
            option = _option(rng, bcode, p, near) if chosen else ""
            pay: list[tuple[str, Decimal, Decimal | None]] = []
            for item, base in PAY_ITEMS:
                old = Decimal(base + rng.randint(0, 40) * 10)
                new = old + Decimal(rng.choice((0, 0, 50, 100))) if chosen else None
                pay.append((item, old, new))
            if target == S.SIGNED and forced_cut < FORCED_PAY_CUTS and option != Option.EARLY_LEAVE:
                item, old, _new = pay[2]
                pay[2] = (item, old, (old * Decimal("0.85")).quantize(Decimal("1")))
                forced_cut += 1
            elif (
                target == S.SIGNED
                and bcode == "b3"
                and forced_early < FORCED_EARLY_LEAVE
                and not near
            ):
                option = Option.EARLY_LEAVE  # chosen, but the retirement date is too far away
                forced_early += 1
            flags = staff_flags(
                option=option,
                retirement=retirement,
                service_start=p["service"],
                on=batch.planned_end,
                pay=[PayLine(*line) for line in pay],
                pay_reason_approved=False,
                limits=limits,
            )
            if flags and STEPS_ORDER.index(target) > STEPS_ORDER.index(S.SIGNED):
                target = S.SIGNED  # approval refuses a blocked person: stop before it
            payroll, _insurance = OPTION_STEPS.get(option, (False, False))
            if target == S.PAYROLL and not payroll:
                target = S.ADJUSTED
            done = STEPS_ORDER[1 : STEPS_ORDER.index(target) + 1]
            step_dates = {
                step: (batch.planned_start + dt.timedelta(days=12 * i)).isoformat()
                for i, step in enumerate(done)
            }
            member = StaffMember(
                unit=p["unit"],
                staff_no=p["staff_no"],
                name=p["name"],
                birth_date_text=p["birth"].isoformat(),
                sex=p["sex"],
                retirement_category=p["category"],
                post=p["post"],
                establishment_type=p["kind"],
                service_start=p["service"],
                retirement_date=retirement,
                batch=batch,
                option=option,
                status=target,
                flags=flags,
                blocked=bool(flags),
                step_dates=step_dates,
            )
            member.set_id_number(
                f"150502{p['birth']:%Y%m%d}{rng.randint(100, 999)}{rng.choice('0123456789X')}"
            )
            members.append(member)
            pay_rows.append(pay)
    StaffMember.objects.bulk_create(members)
    PayItem.objects.bulk_create(
        PayItem(staff=m, item=i, old_amount=o, new_amount=nw)
        for m, lines in zip(members, pay_rows, strict=True)
        for i, o, nw in lines
    )
    return {"staff": len(members), "blocked": sum(1 for m in members if m.blocked)}


def setup_step(context: DemoContext) -> str:
    codes = [code for code, *_rest in UNITS]
    with transaction.atomic():
        present = StaffMember.objects.filter(unit__code__in=codes)
        if present.exists() and not context.reset:
            return _("staff transfer: %(n)d people already loaded") % {"n": present.count()}
        present.delete()
        counts = demo_staff_build(seed=context.seed)
        audit_record(
            code="staffing.demo_loaded",
            target_type="staffing.staffmember",
            summary=str(counts["staff"]),
            data=counts,
        )
    return _("staff transfer: %(staff)d people, %(blocked)d blocked") % counts
