"""Demo step ``decisions``: the mayor's office meeting of 17 November and its real decisions
(``/work/shared/seed``: property management, roads & landscaping reform, sanitation), assigned
to the bureaus of the demo city at different stages — one done with evidence, one late under
listed supervision, one with an approved extension, the three documents at draft /
consultation / issued —, the task force with two dispatch meetings, and a year of weekly
indicator snapshots. Everything goes through the services (audited, as in real use).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from cityops.accounts.demo import DEMO_PASSWORD
from cityops.accounts.models import Role, User
from cityops.accounts.services import user_ensure
from cityops.decisions.models import (
    Answer,
    DecisionItem,
    ItemKind,
    Meeting,
    MeetingKind,
    MemberRole,
    PolicyDocument,
    Rhythm,
    TaskForce,
)
from cityops.decisions.services import documents as docs
from cityops.decisions.services import items as svc
from cityops.decisions.services.ladder_job import items_escalate
from cityops.decisions.services.snapshots import snapshots_take
from cityops.decisions.services.taskforce import task_force_create, task_force_member_add
from cityops.registry import models as rm
from cityops.registry.demo import names
from cityops.registry.demo.organisations import DEPARTMENTS

TZ_HOUR = dt.time(9, 30)
PDF = b"%PDF-1.4\n%demo\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
USERS = (
    ("demo_duchashi", Role.SUPERVISION_SECTION, "市政府督查室", ""),
    ("demo_liaison_housing", Role.UNIT_LIAISON, "住建局联络员", "housing"),
    ("demo_liaison_urban", Role.UNIT_LIAISON, "城管局联络员", "urban"),
    ("demo_liaison_sanitation", Role.UNIT_LIAISON, "环卫处联络员", "sanitation_dept"),
)
MEETING_NUMBER = names.demo("2025年第12次")


def _pdf(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def _at(day: dt.date, time: dt.time = TZ_HOUR) -> dt.datetime:
    return dt.datetime.combine(day, time, tzinfo=timezone.get_current_timezone())


def _units() -> dict[str, rm.Organisation]:
    return {s.key: rm.Organisation.objects.get(uscc=s.uscc) for s in DEPARTMENTS}


def users_ensure(units: dict[str, rm.Organisation]) -> dict[str, User]:
    return {
        username: user_ensure(
            username=username,
            password=DEMO_PASSWORD,
            role=role,
            display_name=names.demo(display),
            organisation=units[key] if key else None,
        )
        for username, role, display, key in USERS
    }


def _meeting_day(today: dt.date) -> dt.date:
    """The 17 November about a year before today (so that a year of history exists)."""
    year = today.year - 1 if today >= dt.date(today.year, 11, 17) else today.year - 2
    return dt.date(year, 11, 17)


@transaction.atomic
def load_demo_decisions(*, today: dt.date | None = None) -> str:
    today = today or timezone.localdate()
    if Meeting.objects.filter(number=MEETING_NUMBER).exists():
        return _("Already loaded.")
    units = _units()
    people = users_ensure(units)
    section = people["demo_duchashi"]
    housing_l, urban_l = people["demo_liaison_housing"], people["demo_liaison_urban"]
    day0 = _meeting_day(today)
    t0 = _at(day0 + dt.timedelta(days=1))
    meeting = svc.meeting_create(
        kind=MeetingKind.MAYOR_OFFICE,
        number=MEETING_NUMBER,
        held_on=day0,
        chair="市长",
        attendees="分管副市长；市政府办、住建局、城管局、财政局、人社局、编办、科尔沁区政府",
        topics="住宅小区物业管理；市政园林养护市场化改革；环卫一体化",
        minutes_number=f"通政阅〔{day0.year}〕45号",
        actor=section,
    )

    # The three documents.
    doc_a = docs.document_create(
        title="关于加强和改进住宅小区物业管理工作的实施意见",
        drafting_unit=units["housing"],
        actor=section,
    )
    doc_b = docs.document_create(
        title="中心城区市政园林一体化养护项目实施方案",
        drafting_unit=units["urban"],
        doc_type="方案",
        actor=section,
    )
    doc_c = docs.document_create(
        title="中心城区环卫一体化项目实施方案",
        drafting_unit=units["urban"],
        doc_type="方案",
        actor=section,
    )

    def item(
        text: str, kind: str, lead: str, *, co: tuple[str, ...] = (), due: dt.date, **extra: Any
    ) -> DecisionItem:
        return svc.item_create(
            meeting=meeting,
            text=text,
            kind=kind,
            lead_unit=units[lead],
            co_units=[units[c] for c in co],
            leader="分管副市长",
            deadline_date=due,
            actor=section,
            now=t0,
            **extra,
        )

    def progress(it: DecisionItem, liaison: User, notes: list[tuple[int, str, int]]) -> None:
        svc.item_sign(item_id=it.pk, actor=liaison, now=t0 + dt.timedelta(hours=2))
        svc.item_plan(
            item_id=it.pk,
            text="工作方案：明确责任分工和时间节点。",
            actor=liaison,
            now=t0 + dt.timedelta(days=5),
        )
        for days, text, pct in notes:
            when = t0 + dt.timedelta(days=days)
            if when < timezone.now():
                svc.item_report_progress(
                    item_id=it.pk, text=text, percent_done=pct, actor=liaison, now=when
                )

    year_end = dt.date(day0.year + 1, 12, 31)
    i1 = item(
        "出台并落实《关于加强和改进住宅小区物业管理工作的实施意见》",
        ItemKind.DOCUMENT,
        "housing",
        due=dt.date(day0.year + 1, 3, 31),
        document=doc_a,
        evidence_required="印发的文件（文号）",
    )
    i2 = item(
        "开展“住宅小区物业管理提升年”活动，落实行业监管、企业主体、街道社区属地责任",
        ItemKind.CAMPAIGN,
        "housing",
        co=("district_gov",),
        due=year_end,
        evidence_required="活动方案、总结报告和考核结果",
    )
    i3 = item(
        "尽快解决无物业小区问题",
        ItemKind.CAMPAIGN,
        "housing",
        co=("district_gov",),
        due=dt.date(day0.year + 1, 6, 30),
        rhythm=Rhythm.FORTNIGHTLY,
        indicators=[
            ("compounds_managed_share", Decimal(100), year_end),
            ("campaign_compounds_open", Decimal(0), year_end),
        ],
        milestones=[
            (dt.date(day0.year + 1, 1, 31), "完成无物业小区摸底"),
            (dt.date(day0.year + 1, 6, 30), "全部落实管理模式"),
        ],
    )
    i4 = item(
        "发挥业主大会、业主委员会作用，提升物业服务质量和居民满意度",
        ItemKind.OTHER,
        "housing",
        due=dt.date(today.year, 12, 31) + dt.timedelta(days=90),
        indicators=[("on_time_property", Decimal(90), year_end)],
    )
    i5 = item(
        "出台《中心城区市政园林一体化养护项目实施方案》",
        ItemKind.DOCUMENT,
        "urban",
        due=today + dt.timedelta(days=75),
        document=doc_b,
    )
    task_force = task_force_create(
        name=names.demo("市政园林养护市场化改革工作专班"),
        lead_unit=units["urban"],
        established_on=day0 + dt.timedelta(days=10),
        mandate="推进市政园林养护市场化改革，统筹人员划转和养护项目采购。",
        actor=section,
    )
    i6 = item(
        "成立市政园林养护市场化改革工作专班",
        ItemKind.REFORM,
        "urban",
        due=dt.date(day0.year, 12, 31),
        task_force=task_force,
    )
    # Late: the deadline passed about ten working days ago → listed supervision.
    i7 = item(
        "按照先易后难原则逐步推进人员待遇和编制划转",
        ItemKind.REFORM,
        "urban",
        co=("municipal_dept", "landscaping_dept"),
        due=today - dt.timedelta(days=14),
        rhythm=Rhythm.MONTHLY,
    )
    i8 = item(
        "出台《中心城区环卫一体化项目实施方案》",
        ItemKind.DOCUMENT,
        "urban",
        due=today + dt.timedelta(days=120),
        document=doc_c,
    )
    i9 = item(
        "依法依规通过政府采购引进专业化环卫运营企业，实行一体化作业",
        ItemKind.PROCUREMENT,
        "sanitation_dept",
        due=today + dt.timedelta(days=150),
        indicators=[
            ("sanitation_lots_active", Decimal(2), year_end),
            ("on_time_sanitation", Decimal(90), year_end),
        ],
    )
    i10 = item(
        "转变监管方式，完善考评制度，实现由干到管的转变",
        ItemKind.SYSTEM,
        "urban",
        co=("command",),
        due=today + dt.timedelta(days=200),
        indicators=[("evaluation_published", Decimal(1), year_end)],
    )

    # Document A: drafted, consulted, reviewed, approved by an executive meeting, issued.
    exec_day = day0 + dt.timedelta(days=60)
    executive = svc.meeting_create(
        kind=MeetingKind.EXECUTIVE,
        number=names.demo(f"{exec_day.year}年第2次"),
        held_on=exec_day,
        chair="市长",
        topics="审议物业管理实施意见",
        actor=section,
    )
    docs.document_version_add(
        document_id=doc_a.pk, file=_pdf("实施意见（征求意见稿）.pdf"), actor=housing_l
    )
    round_a = docs.document_consult(
        document_id=doc_a.pk,
        opens_on=day0 + dt.timedelta(days=12),
        closes_on=day0 + dt.timedelta(days=26),
        actor=housing_l,
    )
    for unit, text, answer, reason in (
        ("urban", "建议明确无物业小区兜底管理的责任主体。", Answer.ADOPTED, ""),
        (
            "district_gov",
            "建议增加街道物业管理考核内容。",
            Answer.PARTLY,
            "纳入年度考核，不单设指标",
        ),
    ):
        liaison = urban_l if unit == "urban" else section
        comment = docs.consultation_comment_add(
            round_id=round_a.pk, unit=units[unit], text=text, actor=liaison
        )
        docs.consultation_answer(
            comment_id=comment.pk, answer=answer, reason=reason, actor=housing_l
        )
    docs.document_version_add(
        document_id=doc_a.pk,
        file=_pdf("实施意见（送审稿）.pdf"),
        note="吸收征求意见",
        actor=housing_l,
    )
    docs.document_submit_review(document_id=doc_a.pk, actor=housing_l)
    docs.document_review(
        document_id=doc_a.pk, passed=True, note="经合法性审核，符合上位法规定。", actor=section
    )
    docs.document_approve(document_id=doc_a.pk, meeting=executive, actor=section)
    progress(i1, housing_l, [(40, "完成送审稿", 70)])
    issued = exec_day + dt.timedelta(days=20)
    docs.document_issue(
        document_id=doc_a.pk,
        number=f"通政办发〔{issued.year}〕12号",
        issued_on=issued,
        effective_on=issued + dt.timedelta(days=10),
        valid_until=issued + dt.timedelta(days=5 * 365),
        actor=section,
    )

    # Document B under consultation, document C still a draft.
    docs.document_version_add(
        document_id=doc_b.pk, file=_pdf("养护一体化方案（初稿）.pdf"), actor=urban_l
    )
    round_b = docs.document_consult(
        document_id=doc_b.pk,
        opens_on=today - dt.timedelta(days=5),
        closes_on=today + dt.timedelta(days=10),
        actor=urban_l,
    )
    docs.consultation_comment_add(
        round_id=round_b.pk,
        unit=units["municipal_dept"],
        text="建议分标段采购，设置过渡期。",
        actor=section,
    )
    docs.document_version_add(
        document_id=doc_c.pk, file=_pdf("环卫一体化方案（草稿）.pdf"), actor=urban_l
    )

    # Item 2: done with evidence.
    progress(i2, housing_l, [(60, "活动方案已印发，各街道启动", 30), (200, "完成中期检查", 70)])
    done_day = t0 + dt.timedelta(days=330)
    if done_day < timezone.now():
        svc.item_complete(
            item_id=i2.pk,
            text="提升年活动完成，总结报告及考核结果见附件。",
            files=[_pdf("提升年总结报告.pdf"), _pdf("考核结果.pdf")],
            actor=housing_l,
            now=done_day,
        )
        svc.item_verify(item_id=i2.pk, actor=section, now=done_day + dt.timedelta(days=3))
    # Item 3: an approved extension.
    progress(
        i3,
        housing_l,
        [(30, "完成摸底：无物业小区名单已确定", 20), (120, "已落实兜底物业的小区过半", 55)],
    )
    request = svc.extension_request(
        item_id=i3.pk,
        until=dt.date(day0.year + 1, 12, 31) + dt.timedelta(days=90),
        reason="部分小区需业主表决选聘物业，程序时间较长。",
        actor=housing_l,
    )
    svc.extension_decide(request_id=request.pk, approve=True, reason="同意延期", actor=section)
    progress(i4, housing_l, [(90, "指导成立业委会", 40)])
    progress(i5, urban_l, [(100, "完成方案初稿", 50)])
    # Item 6: the task force exists; its completion report waits for verification.
    progress(i6, urban_l, [])
    svc.item_complete(
        item_id=i6.pk,
        text="工作专班已成立并召开调度会。",
        files=[_pdf("专班成立通知.pdf")],
        actor=urban_l,
        now=t0 + dt.timedelta(days=20),
    )
    progress(i7, urban_l, [(45, "完成人员底数摸排", 20), (150, "第一批人员待遇方案报审", 35)])
    svc.item_sign(item_id=i8.pk, actor=urban_l, now=t0 + dt.timedelta(days=1))
    progress(i9, people["demo_liaison_sanitation"], [(200, "采购需求已论证，采购意向已公开", 40)])
    progress(i10, urban_l, [(150, "月度考评已按新办法运行", 60)])
    for username, member_role, unit in (
        ("分管副市长", MemberRole.LEADER, "district_gov"),
        ("城管局局长", MemberRole.DEPUTY, "urban"),
        ("财政局副局长", MemberRole.MEMBER, "district_gov"),
        ("市政处处长", MemberRole.MEMBER, "municipal_dept"),
        ("园林处处长", MemberRole.MEMBER, "landscaping_dept"),
        ("城管局办公室", MemberRole.LIAISON, "urban"),
    ):
        task_force_member_add(
            task_force=task_force,
            person=names.demo(username),
            unit=units[unit],
            role=member_role,
            actor=section,
        )
    for n, days, actions in (
        (1, 20, [("完成市政园林养护人员底数摸排", "urban", 60, True)]),
        (
            2,
            120,
            [
                ("制定养护项目采购需求和标段划分", "urban", 240, False),
                ("研究人员分流安置办法", "landscaping_dept", 200, False),
            ],
        ),
    ):
        held = day0 + dt.timedelta(days=days)
        dispatch = svc.meeting_create(
            kind=MeetingKind.DISPATCH,
            number=names.demo(f"专班调度会第{n}次"),
            held_on=held,
            chair="分管副市长",
            task_force=task_force,
            actor=section,
        )
        for text, unit, due_days, done in actions:
            action = svc.item_create(
                meeting=dispatch,
                text=text,
                kind=ItemKind.REFORM,
                lead_unit=units[unit],
                deadline_date=held + dt.timedelta(days=due_days),
                rhythm=Rhythm.WEEKLY,
                actor=section,
                now=_at(held),
            )
            if unit == "urban":
                progress(action, urban_l, [])
            if done:
                finished = _at(held + dt.timedelta(days=due_days - 5))
                svc.item_complete(
                    item_id=action.pk,
                    text="摸排完成，名册见附件。",
                    files=[_pdf("人员名册.pdf")],
                    actor=urban_l,
                    now=finished,
                )
                svc.item_verify(item_id=action.pk, actor=section, now=finished)
    items_escalate()
    weeks = [today - dt.timedelta(days=7 * w) for w in range(53)]
    snapshots = snapshots_take(days=weeks)
    return _("Meeting of %(day)s: %(items)d items, 3 documents, 1 task force, %(s)d snapshots.") % {
        "day": day0,
        "items": DecisionItem.objects.count(),
        "s": snapshots,
    }


def setup_step(context: Any) -> str:
    """The ``decisions`` step of manage.py demo_setup."""
    return load_demo_decisions()


def delete_hook(district: Any) -> dict[str, int]:
    """Demo reset: the demo's decision records go before the organisations they name."""
    units = list(rm.Organisation.objects.filter(uscc__in=[s.uscc for s in DEPARTMENTS]))
    meetings = Meeting.objects.filter(number__endswith=names.SUFFIX)
    items = DecisionItem.objects.filter(Q(meeting__in=meetings) | Q(lead_unit__in=units))
    counts = {"decision_items": items.count()}
    items.delete()
    documents = PolicyDocument.objects.filter(drafting_unit__in=units)
    counts["documents"] = documents.count()
    documents.delete()
    counts["meetings"] = meetings.count()
    meetings.delete()
    task_forces = TaskForce.objects.filter(lead_unit__in=units)
    counts["task_forces"] = task_forces.count()
    task_forces.delete()
    return counts
