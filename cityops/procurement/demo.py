"""Demo step ``procurement``: the two procurements of the seed's decisions.

- 市政园林一体化养护 (roads & landscaping): open tender, every step done, the contract signed,
  published and filed — the contract and its two lots are in the registry (from next year).
- 环卫一体化 (sanitation integration): award announced two working days ago, so it is in its
  challenge window, with one challenge received and not yet answered.

Dates are counted back from today on the working calendar so that every step is lawful; all of
them go through the services (checked and audited like a user's steps). Idempotent: a project
that exists is left alone.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cityops.accounts.models import User
from cityops.procurement import periods
from cityops.procurement.models import Project
from cityops.procurement.services import challenge_record, project_create, project_step
from cityops.registry import models as rm
from cityops.registry.demo import names
from cityops.registry.demo.loader import demo_district
from cityops.registry.demo.organisations import DEPARTMENTS, OPERATORS
from cityops.workcal.selectors import get_calendar

PREFIX = f"{names.CODE_PREFIX}CG-"
ROADS = f"{PREFIX}2026-01"
SANITATION = f"{PREFIX}2026-02"


def _org(key: str) -> rm.Organisation:
    spec = next(s for s in (*DEPARTMENTS, *OPERATORS) if s.key == key)
    return rm.Organisation.objects.get(uscc=spec.uscc)


def _back(day: dt.date, n: int, cal: periods.Calendar) -> dt.date:
    """The working day n working days before ``day``."""
    while n > 0:
        day -= periods.ONE_DAY
        if cal.is_working_day(day):
            n -= 1
    return day


def _working(day: dt.date, cal: periods.Calendar) -> dt.date:
    while not cal.is_working_day(day):
        day -= periods.ONE_DAY
    return day


def _early_steps(announced: dt.date, cal: periods.Calendar) -> dict[str, dt.date]:
    decided = _back(announced, 1, cal)
    report = _back(decided, 2, cal)
    ended = _back(report, 1, cal)
    issued = _working(ended - dt.timedelta(days=28), cal)
    return {
        "intention": _working(issued - dt.timedelta(days=40), cal),
        "issued": issued,
        "deadline": ended,
        "ended": ended,
        "report": report,
        "decided": decided,
        "announced": announced,
    }


def _walk(project: Project, officer: User, d: dict[str, dt.date], winner: Any) -> Project:
    def step(action: str, on: dt.date, **values: Any) -> None:
        project_step(project_id=project.pk, action=action, on=on, actor=officer, **values)

    step("publish_intention", d["intention"])
    step("issue_documents", d["issued"], bid_deadline=d["deadline"])
    step("open_bids", d["deadline"])
    step("evaluate", d["ended"], report_received=d["report"])
    step(
        "decide_winner", d["decided"], winner=winner, award_amount=project.budget * Decimal("0.96")
    )
    step("announce_award", d["announced"])
    project.refresh_from_db()
    return project


def _roads(officer: User, district: rm.District, today: dt.date, cal: periods.Calendar) -> None:
    filed = _back(today, 5, cal)
    published = _back(filed, 3, cal)
    signed = _back(published, 1, cal)
    announced = _working(signed - dt.timedelta(days=20), cal)
    roads = list(rm.RoadSegment.objects.filter(street__district=district).order_by("code")[:12])
    greens = list(rm.GreenSpace.objects.filter(street__district=district).order_by("code")[:8])
    project = project_create(
        actor=officer,
        number=ROADS,
        title=names.demo("中心城区市政园林一体化养护服务"),
        service_type=rm.ServiceType.LANDSCAPING,
        method="open_tender",
        budget=Decimal("18600000.00"),
        purchaser=_org("urban"),
        lots=[
            {"code": "1", "name": names.demo("市政道路养护标段"), "road_segments": roads},
            {"code": "2", "name": names.demo("园林绿地养护标段"), "green_spaces": greens},
        ],
    )
    _walk(project, officer, _early_steps(announced, cal), _org("yl"))
    start = dt.date(today.year + 1, 1, 1)
    project_step(
        project_id=project.pk,
        action="sign_contract",
        on=signed,
        actor=officer,
        contract_number=f"{names.CODE_PREFIX}HT-SZYL-{today.year}",
        service_start=start,
        service_end=dt.date(start.year + 2, 12, 31),  # ≤ 3 years (102号令, P31)
        monthly_fee=(project.budget * Decimal("0.96") / 36).quantize(Decimal("0.01")),
    )
    project_step(project_id=project.pk, action="publish_contract", on=published, actor=officer)
    project_step(project_id=project.pk, action="file_contract", on=filed, actor=officer)


def _sanitation(officer: User, today: dt.date, cal: periods.Calendar) -> None:
    announced = _back(_working(today, cal), 2, cal)
    project = project_create(
        actor=officer,
        number=SANITATION,
        title=names.demo("中心城区环卫一体化服务"),
        service_type=rm.ServiceType.SANITATION,
        method="open_tender",
        budget=Decimal("32000000.00"),
        purchaser=_org("urban"),
        lots=[{"code": "1", "name": names.demo("中心城区环卫一体化标段")}],
    )
    _walk(project, officer, _early_steps(announced, cal), _org("hw1"))
    challenge_record(
        project_id=project.pk,
        supplier=_org("hw2").name,
        subject="result",
        received_on=_working(today, cal),
        text=names.demo("对评标结果中机械化作业设备评分提出质疑，请求复核。"),
        actor=officer,
    )


def procurement_step(context: Any) -> str:
    district = demo_district()
    officer = User.objects.filter(username="demo_procurement").first()
    if district is None or officer is None:
        return _("Skipped: load the demo district and users first.")
    cal = get_calendar()
    today = timezone.localdate()
    made = 0
    with transaction.atomic():
        if not Project.objects.filter(number=ROADS).exists():
            _roads(officer, district, today, cal)
            made += 1
        if not Project.objects.filter(number=SANITATION).exists():
            _sanitation(officer, today, cal)
            made += 1
    return _("%(n)d procurement projects created.") % {"n": made}


def delete_hook(district: rm.District) -> dict[str, int]:
    """Demo reset: the demo projects, then the registry contracts they created."""
    projects = Project.objects.filter(number__startswith=PREFIX)
    contract_ids = [pk for pk in projects.values_list("contract_id", flat=True) if pk]
    count = projects.count()
    projects.delete()
    rm.Contract.objects.filter(pk__in=contract_ids).delete()
    return {"procurement projects": count}
