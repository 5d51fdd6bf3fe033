"""The rules of issue 17: P2, P15 (steps checked), P16, P21, P22 (remedy deadlines).

Calendar as in ``test_periods.py``: Spring Festival 2026 holidays 15–23 February, Saturdays
14 and 28 February are working days.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from cityops.accounts.models import Role
from cityops.accounts.services import user_ensure
from cityops.core.errors import DomainError, NotFound
from cityops.core.models import AuditEvent
from cityops.procurement import periods as p
from cityops.procurement.models import (
    ComplaintStatus,
    ProcurementSettings,
    Project,
    StatutoryPeriod,
)
from cityops.procurement.selectors import project_timeline, rule_set
from cityops.procurement.services import (
    PeriodViolation,
    challenge_record,
    complaint_decide,
    complaint_record,
    complaint_withdraw,
    project_step,
)
from cityops.procurement.testing import officer_ensure, project_new, project_walk
from cityops.workcal.tests.helpers import real_calendar

CAL = real_calendar()
D = dt.date
TENDER = p.Method.OPEN_TENDER.value
SINGLE = p.Method.SINGLE_SOURCE.value
REMEDIES = {**p.CHALLENGE_DEFAULTS, **p.REMEDY_DEFAULTS}


def violations(
    step: str, day: dt.date, method: str, rules: tuple[p.Rule, ...] = p.DEFAULT_RULES, **dates: Any
) -> list[str]:
    found = p.check(step, day, dates, method=method, rules=rules, calendar=CAL)
    return [f"{v.rule.code}:{v.lawful}" for v in found]


# ----------------------------------------------------------------- P15 single-source publication
def test_single_source_publication_runs_five_working_days_exactly() -> None:
    published = D(2026, 3, 3)  # Tuesday: + 5 WD = Tuesday 10 March
    assert violations("bid_deadline", D(2026, 3, 10), SINGLE, documents_issued=published) == []
    assert violations("bid_deadline", D(2026, 3, 9), SINGLE, documents_issued=published) == [
        "P15:2026-03-10"
    ]


def test_single_source_publication_across_spring_festival_counts_the_swapped_saturday() -> None:
    published = D(2026, 2, 12)  # Thu: Fri 13, Sat 14 (调休), Tue 24, Wed 25, Thu 26
    assert violations("bid_deadline", D(2026, 2, 25), SINGLE, documents_issued=published) == [
        "P15:2026-02-26"
    ]
    assert violations("bid_deadline", D(2026, 2, 26), SINGLE, documents_issued=published) == []


def test_p15_applies_to_single_source_only_and_p4_not_to_single_source() -> None:
    published = D(2026, 3, 3)
    assert violations("bid_deadline", D(2026, 3, 10), SINGLE, documents_issued=published) == []
    assert "P15" not in "".join(
        violations("bid_deadline", D(2026, 3, 9), TENDER, documents_issued=published)
    )


# ----------------------------------------------------------------- P2 tender notice period
def test_tender_notice_period_binds_when_the_tender_period_is_shortened_in_the_table() -> None:
    # With P4 edited down to 3 days, the 5-working-day notice period is the longer one.
    rules = p.rules_with({"P4": (3, p.CD, True)})
    issued = D(2026, 2, 12)  # P4: 15 Feb, a holiday → 24 Feb; P2: 26 Feb (as P15 above)
    assert violations("bid_deadline", D(2026, 2, 25), TENDER, rules, documents_issued=issued) == [
        "P2:2026-02-26"
    ]
    assert violations("bid_deadline", D(2026, 2, 26), TENDER, rules, documents_issued=issued) == []
    # Not a consultation rule: P8 (10 days) alone decides there.
    consult = p.Method.CONSULTATION.value
    assert violations("bid_deadline", D(2026, 2, 23), consult, documents_issued=issued) == [
        "P8:2026-02-24"
    ]


# ----------------------------------------------------------------- P16 inquiry
def test_inquiry_answer_due_three_working_days_across_the_holiday() -> None:
    due = p.inquiry_answer_due(received_on=D(2026, 3, 2), periods=REMEDIES, calendar=CAL)
    assert due == D(2026, 3, 5)
    # Fri 13 Feb: Sat 14 (调休) 1, Tue 24 2, Wed 25 3.
    due = p.inquiry_answer_due(received_on=D(2026, 2, 13), periods=REMEDIES, calendar=CAL)
    assert due == D(2026, 2, 25)


# ----------------------------------------------------------------- P21 / P22 complaint
def test_complaint_decision_due_thirty_working_days_and_excluded_days_move_it() -> None:
    dates = p.complaint_dates(
        received_on=D(2026, 11, 2), suspended_on=None, periods=REMEDIES, calendar=CAL
    )
    assert dates.decision_due == D(2026, 12, 14)
    assert dates.suspension_until is None
    later = p.complaint_dates(
        received_on=D(2026, 11, 2),
        suspended_on=None,
        excluded_days=5,
        periods=REMEDIES,
        calendar=CAL,
    )
    assert later.decision_due == D(2026, 12, 21)


def test_complaint_decision_across_spring_festival() -> None:
    # Mon 2 Feb: 9 WD to Fri 13, Sat 14 the 10th, 24–27 Feb 14, Sat 28 15, then 3 weeks.
    dates = p.complaint_dates(
        received_on=D(2026, 2, 2), suspended_on=None, periods=REMEDIES, calendar=CAL
    )
    assert dates.decision_due == D(2026, 3, 20)


def test_suspension_is_at_most_thirty_days_and_never_rolled() -> None:
    # 20 Jan + 30 = 19 Feb, inside the holiday: a maximum is not lengthened.
    dates = p.complaint_dates(
        received_on=D(2026, 1, 20), suspended_on=D(2026, 1, 20), periods=REMEDIES, calendar=CAL
    )
    assert dates.suspension_until == D(2026, 2, 19)


# ----------------------------------------------------------------- data table and services
@pytest.fixture
def _mid_may() -> Iterator[None]:
    with time_machine.travel(dt.datetime(2026, 5, 15, 10, tzinfo=dt.UTC), tick=False):
        yield


@pytest.mark.django_db
def test_the_new_periods_are_seeded_rows_and_editing_one_changes_the_deadline() -> None:
    rows = {
        r.code: r
        for r in StatutoryPeriod.objects.filter(code__in=["P2", "P15", "P16", "P21", "P22"])
    }
    assert {c: (r.amount, r.day_type) for c, r in rows.items()} == {
        "P2": (5, "wd"),
        "P15": (5, "wd"),
        "P16": (3, "wd"),
        "P21": (30, "wd"),
        "P22": (30, "cd"),
    }
    StatutoryPeriod.objects.filter(code="P16").update(amount=2)
    rs = rule_set(D(2026, 3, 1))
    assert p.inquiry_answer_due(received_on=D(2026, 3, 2), periods=rs.challenge, calendar=CAL) == D(
        2026, 3, 4
    )
    assert "2" in rs.text("P16")


@pytest.mark.django_db
@pytest.mark.usefixtures("_mid_may")
def test_single_source_deal_before_the_publication_ends_is_refused_with_rule_and_date(
    small_city: Any,
) -> None:
    officer = officer_ensure()
    project = project_new(officer, small_city, method=SINGLE)
    with pytest.raises(PeriodViolation) as err:
        project_step(
            project_id=project.pk,
            action="issue_documents",
            on=D(2026, 2, 12),
            actor=officer,
            bid_deadline=D(2026, 2, 25),
        )
    assert "P15" in str(err.value.message)
    assert "2026-02-26" in str(err.value.message)
    assert not err.value.overridable
    project = project_step(
        project_id=project.pk,
        action="issue_documents",
        on=D(2026, 2, 12),
        actor=officer,
        bid_deadline=D(2026, 2, 26),
    )
    assert project.bid_deadline == D(2026, 2, 26)
    deadline = next(v for v in project_timeline(project) if v.step == "bid_deadline")
    assert deadline.earliest == D(2026, 2, 26)
    assert [code for code, _text in deadline.rules] == ["P15"]


# ----------------------------------------------------------------- P30 file retention (data)
def test_files_are_kept_fifteen_years_from_the_end_of_the_procurement() -> None:
    assert p.files_kept_until(contract_filed=None, cancelled_on=None, years=15) is None
    kept = p.files_kept_until(contract_filed=D(2026, 4, 28), cancelled_on=None, years=15)
    assert kept == D(2041, 4, 28)
    # Ended on 29 February: the same-numbered day does not exist → 28 February (CC art. 202).
    assert p.files_kept_until(contract_filed=None, cancelled_on=D(2028, 2, 29), years=15) == D(
        2043, 2, 28
    )


@pytest.mark.django_db
@pytest.mark.usefixtures("_mid_may")
def test_the_project_page_shows_how_long_the_files_are_kept(small_city: Any) -> None:
    officer = officer_ensure()
    project = project_new(officer, small_city)
    client = Client()
    client.force_login(officer)
    url = reverse("procurement:detail", args=[project.pk])
    assert 'id="files-kept"' not in client.get(url).content.decode()
    project_walk(project, officer, small_city.operator_a, until="file_contract")
    assert "2041-04-28" in client.get(url).content.decode()
    ProcurementSettings.objects.update_or_create(pk=1, defaults={"file_retention_years": 20})
    assert "2046-04-28" in client.get(url).content.decode()


# ----------------------------------------------------------------- complaints (P20–P22) recorded
def _challenged(city: Any) -> tuple[Any, Any]:
    officer = officer_ensure()
    project = project_walk(
        project_new(officer, city), officer, city.operator_a, until="announce_award"
    )
    # Answer due 15 April 2026 (Qingming 4–6 April off), as in test_services.
    challenge = challenge_record(
        project_id=project.pk,
        supplier="某环境公司",
        subject="result",
        received_on=D(2026, 4, 3),
        text="评分有误",
        actor=officer,
    )
    assert challenge.answer_due == D(2026, 4, 15)
    return officer, challenge


@pytest.mark.django_db
@pytest.mark.usefixtures("_mid_may")
def test_a_complaint_on_the_last_day_of_p20_is_in_time_and_the_next_working_day_is_not(
    small_city: Any,
) -> None:
    officer, challenge = _challenged(small_city)
    rs = rule_set(D(2026, 3, 3))
    last = p.add_working_days(D(2026, 4, 15), 15, rs.calendar)
    after = p.add_working_days(last, 1, rs.calendar)
    assert D(2026, 5, 6) <= last <= D(2026, 5, 12)  # across the Labour Day holiday
    on_time = complaint_record(
        challenge_id=challenge.pk, received_on=last, text="答复不满意", actor=officer
    )
    late = complaint_record(
        challenge_id=challenge.pk, received_on=after, text="答复不满意", actor=officer
    )
    assert on_time.in_time
    assert not late.in_time
    assert on_time.decision_due == p.add_working_days(last, 30, rs.calendar)
    assert AuditEvent.objects.filter(code="procurement.complaint_received").count() == 2


@pytest.mark.django_db
@pytest.mark.usefixtures("_mid_may")
def test_suspension_and_decision_deadlines_and_a_late_decision_needs_a_reason(
    small_city: Any,
) -> None:
    officer, challenge = _challenged(small_city)
    row = complaint_record(
        challenge_id=challenge.pk,
        received_on=D(2026, 4, 20),
        suspended_on=D(2026, 4, 20),
        excluded_days=2,
        text="答复不满意",
        actor=officer,
    )
    assert row.suspension_until == D(2026, 5, 20)  # 30 calendar days, a maximum
    rs = rule_set(D(2026, 3, 3))
    assert row.decision_due == p.add_working_days(D(2026, 4, 20), 32, rs.calendar)
    with time_machine.travel(dt.datetime(2026, 7, 1, 10, tzinfo=dt.UTC), tick=False):
        late_day = p.add_working_days(row.decision_due, 1, rs.calendar)
        with pytest.raises(PeriodViolation) as err:
            complaint_decide(
                complaint_id=row.pk, decided_on=late_day, decision="驳回", actor=officer
            )
        assert "P21" in str(err.value.message)
        assert row.decision_due.isoformat() in str(err.value.message)
        assert err.value.overridable
        decided = complaint_decide(
            complaint_id=row.pk,
            decided_on=late_day,
            decision="驳回",
            actor=officer,
            override_reason="专家论证延误",
        )
    assert decided.status == ComplaintStatus.DECIDED
    assert AuditEvent.objects.filter(code="procurement.complaint_decided").exists()


@pytest.mark.django_db
@pytest.mark.usefixtures("_mid_may")
def test_complaint_refusals_and_scoping(small_city: Any) -> None:
    officer, challenge = _challenged(small_city)
    with pytest.raises(DomainError):
        complaint_record(
            challenge_id=challenge.pk, received_on=D(2026, 4, 2), text="x", actor=officer
        )
    with pytest.raises(DomainError):
        complaint_record(
            challenge_id=challenge.pk,
            received_on=D(2026, 4, 20),
            suspended_on=D(2026, 4, 17),
            text="x",
            actor=officer,
        )
    outsider = user_ensure(
        username="nobody", password="persona-pass-123", role=Role.OPERATOR_STAFF, display_name="x"
    )
    with pytest.raises(NotFound):
        complaint_record(
            challenge_id=challenge.pk, received_on=D(2026, 4, 20), text="x", actor=outsider
        )
    row = complaint_record(
        challenge_id=challenge.pk, received_on=D(2026, 4, 20), text="答复不满意", actor=officer
    )
    client = Client()
    client.force_login(officer)
    page = client.get(reverse("procurement:detail", args=[challenge.project_id])).content.decode()
    assert 'id="complaints"' in page
    assert row.decision_due.isoformat() in page
    complaint_withdraw(complaint_id=row.pk, actor=officer)
    row.refresh_from_db()
    assert row.status == ComplaintStatus.WITHDRAWN


@pytest.mark.django_db
@pytest.mark.usefixtures("_mid_may")
def test_the_officer_records_and_decides_a_complaint_on_the_project_page(
    small_city: Any,
) -> None:
    officer, challenge = _challenged(small_city)
    client = Client()
    client.force_login(officer)
    page_url = reverse("procurement:detail", args=[challenge.project_id])
    assert 'id="complaint-form"' in client.get(page_url).content.decode()
    url = reverse("procurement:complaint-new", args=[challenge.project_id])
    bad = client.post(url, {"challenge": challenge.pk, "received_on": "2026-04-02",
                            "excluded_days": 0, "text": "答复不满意"})  # fmt: skip
    assert bad.status_code == 400  # before the challenge: a form error, not a 500
    response = client.post(url, {"challenge": challenge.pk, "received_on": "2026-04-20",
                                 "excluded_days": 0, "suspended_on": "2026-04-20",
                                 "text": "答复不满意"})  # fmt: skip
    assert response.status_code == 302
    row = challenge.complaints.get()
    assert row.suspension_until == D(2026, 5, 20)
    page = client.get(page_url).content.decode()
    assert "2026-05-20" in page
    decide = reverse("procurement:complaint-decide", args=[row.pk])
    done = client.post(decide, {"decided_on": "2026-05-14", "decision": "驳回投诉"})
    assert done.status_code == 302
    row.refresh_from_db()
    assert row.status == ComplaintStatus.DECIDED
    reader = user_ensure(
        username="outsider", password="persona-pass-123", role=Role.OPERATOR_STAFF, display_name="x"
    )
    other = Client()
    other.force_login(reader)
    assert other.post(decide, {"decided_on": "2026-05-14", "decision": "x"}).status_code == 404


# ----------------------------------------------------------------- P26 / P28 bonds (limits)
def test_percent_cap_is_rounded_down_to_the_fen() -> None:
    assert p.percent_cap(Decimal("4800000"), Decimal("2")) == Decimal("96000.00")
    assert p.percent_cap(Decimal("333.33"), Decimal("10")) == Decimal("33.33")


@pytest.mark.django_db
@pytest.mark.usefixtures("_mid_may")
def test_bid_bond_at_two_percent_of_the_budget_passes_one_fen_more_is_refused(
    small_city: Any,
) -> None:
    officer = officer_ensure()
    project = project_new(officer, small_city)  # budget 4,800,000
    with pytest.raises(DomainError) as err:
        project_step(
            project_id=project.pk,
            action="issue_documents",
            on=D(2026, 3, 3),
            actor=officer,
            bid_deadline=D(2026, 3, 23),
            bid_bond=Decimal("96000.01"),
        )
    assert "P26" in str(err.value.message)
    assert "96000.00" in str(err.value.message)
    assert err.value.field == "bid_bond"
    project = project_step(
        project_id=project.pk,
        action="issue_documents",
        on=D(2026, 3, 3),
        actor=officer,
        bid_deadline=D(2026, 3, 23),
        bid_bond=Decimal("96000.00"),
    )
    assert project.bid_bond == Decimal("96000.00")


@pytest.mark.django_db
@pytest.mark.usefixtures("_mid_may")
def test_performance_bond_limit_follows_the_settings(small_city: Any) -> None:
    officer = officer_ensure()
    project = project_walk(
        project_new(officer, small_city), officer, small_city.operator_a, until="announce_award"
    )  # award 4,650,000 → 10 % = 465,000
    terms: dict[str, Any] = {
        "contract_number": "HT-2026-01",
        "service_start": D(2026, 5, 1),
        "service_end": D(2027, 4, 30),
        "monthly_fee": Decimal("387500"),
    }
    ProcurementSettings.objects.update_or_create(
        pk=1, defaults={"performance_bond_max_percent": Decimal("5")}
    )
    with pytest.raises(DomainError) as err:
        project_step(project_id=project.pk, action="sign_contract", on=D(2026, 4, 20),
                     actor=officer, performance_bond=Decimal("465000"), **terms)  # fmt: skip
    assert "P28" in str(err.value.message)
    assert "232500.00" in str(err.value.message)
    signed = project_step(project_id=project.pk, action="sign_contract", on=D(2026, 4, 20),
                          actor=officer, performance_bond=Decimal("232500"), **terms)  # fmt: skip
    assert signed.performance_bond == Decimal("232500")


# ----------------------------------------------------------------- P27 bid bond refunds
def test_bid_bond_refunds_five_working_days_across_spring_festival() -> None:
    dates = p.bond_refund_dates(
        award_announced=D(2026, 2, 12), contract_signed=None, periods=REMEDIES, calendar=CAL
    )
    assert dates.losers_by == D(2026, 2, 26)  # Fri 13, Sat 14 (调休), Tue 24, Wed 25, Thu 26
    assert dates.winner_by is None
    signed = p.bond_refund_dates(
        award_announced=D(2026, 3, 3), contract_signed=D(2026, 3, 3), periods=REMEDIES, calendar=CAL
    )
    assert signed.winner_by == D(2026, 3, 10)


@pytest.mark.django_db
@pytest.mark.usefixtures("_mid_may")
def test_the_project_page_shows_the_bond_refund_days(small_city: Any) -> None:
    assert StatutoryPeriod.objects.filter(code="P27", amount=5, day_type="wd").exists()
    officer = officer_ensure()
    project = project_new(officer, small_city)
    project = project_walk(project, officer, small_city.operator_a, until="announce_award")
    client = Client()
    client.force_login(officer)
    url = reverse("procurement:detail", args=[project.pk])
    assert 'id="bond-refunds"' not in client.get(url).content.decode()  # no bond asked
    Project.objects.filter(pk=project.pk).update(bid_bond=Decimal("50000"))
    page = client.get(url).content.decode()
    # Announced Monday 30 March: 31 March – 3 April, Qingming 4–6 April off, 7 April the 5th.
    assert "2026-04-07" in page[page.index('id="bond-refunds"') :]
