"""Staff pages: officers, property companies, the mayor's office, the committee's vote steps."""

from __future__ import annotations

import datetime as dt
import io
import re
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from cityops.cases.services.payloads import Reject
from cityops.estates.models import (
    Ballot,
    CreditObjection,
    ProgressReport,
    Proposal,
    ProposalStatus,
    TargetStatus,
)
from cityops.estates.services.campaigns import campaign_create
from cityops.estates.services.credit import credit_case_statistics_record
from cityops.estates.testing import open_proposal
from cityops.estates.tests.test_credit_job import property_case  # noqa: F401 (a fixture)
from cityops.registry.models import ManagementModel

START, END = dt.date(2026, 1, 1), dt.date(2026, 12, 31)


@pytest.fixture(autouse=True)
def _media_in_tmp(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def campaign(small_city):
    return campaign_create(name="2026 住宅物业管理提升年", starts_on=START, ends_on=END)


def body(response: Any) -> str:
    return str(response.content.decode())


def no_inline_script(html: str) -> bool:
    return "<script>" not in html and "<script type" not in html


@pytest.mark.parametrize("name", ["estates:officer", "estates:company", "estates:supervision"])
def test_login_required_and_wrong_roles_get_404(client, personas, name):
    assert client.get(reverse(name)).status_code == 302
    client.force_login(personas.citizen)
    assert client.get(reverse(name)).status_code == 404
    client.force_login(personas.operator_a)  # operator, but not of a property company
    assert client.get(reverse(name)).status_code == 404


def test_officer_sees_territory_tasks_and_complaints(
    client, small_city, personas, campaign, django_assert_max_num_queries
):
    client.force_login(personas.street_officer)  # west street: C-2 only
    with django_assert_max_num_queries(15):
        page = client.get(reverse("estates:officer"))
    assert page.status_code == 200
    html = body(page)
    assert small_city.compound_unmanaged.name in html
    assert small_city.compound.name not in html
    assert no_inline_script(html)
    target = campaign.targets.get()
    assert reverse("estates:target", args=[target.pk]) in html
    # The community officer of the east community does not know the west's task exists.
    client.force_login(personas.community_officer)
    assert small_city.compound.name in body(client.get(reverse("estates:officer")))
    assert client.get(reverse("estates:target", args=[target.pk])).status_code == 404


def test_officer_plans_reports_with_evidence_and_resolves(client, small_city, personas, campaign):
    target = campaign.targets.get()
    url = reverse("estates:target", args=[target.pk])
    client.force_login(personas.street_officer)
    bad = client.post(url, {"action": "plan", "chosen_model": "none", "deadline": "2026-09-30"})
    assert bad.status_code == 400
    ok = client.post(
        url,
        {
            "action": "plan",
            "chosen_model": ManagementModel.TRUSTEESHIP,
            "deadline": "2026-09-30",
            "milestones": "2026-07-01 召开居民议事会\n2026-08-15 签订托管协议",
        },
    )
    assert ok.status_code == 302
    target.refresh_from_db()
    assert target.status == TargetStatus.PLANNED
    assert target.milestones.count() == 2
    late = client.post(
        url,
        {
            "action": "plan",
            "chosen_model": "trusteeship",
            "deadline": "2026-09-30",
            "milestones": "2026-10-01 太晚",
        },
    )
    assert late.status_code == 400
    assert 'class="errors"' in body(late)
    milestone = target.milestones.order_by("due_on").first()
    assert client.post(url, {"action": "milestone", "milestone": milestone.pk}).status_code == 302
    photo = SimpleUploadedFile("meeting.jpg", b"\xff\xd8\xff fake", content_type="image/jpeg")
    client.post(url, {"action": "report", "text": "居民议事会已召开", "evidence": photo})
    report = ProgressReport.objects.get(target=target)
    assert report.evidence.name
    page = client.get(url)
    assert "居民议事会已召开" in body(page)
    assert client.post(url, {"action": "resolve"}).status_code == 302
    small_city.compound_unmanaged.refresh_from_db()
    assert small_city.compound_unmanaged.management_model == ManagementModel.TRUSTEESHIP
    # CSRF is enforced on the staff forms too.
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(personas.street_officer)
    assert strict.post(url, {"action": "report", "text": "x"}).status_code == 403


def test_company_sees_compounds_cases_credit_and_objects(client, small_city, personas):
    company = small_city.property_company
    with time_machine.travel(dt.datetime(2026, 11, 1, 2, tzinfo=dt.UTC), tick=False):
        records = credit_case_statistics_record(
            company=company, period="2026-10", complaints=8, on_time_rate=Decimal("0.8"), rework=3
        )
    client.force_login(personas.property_staff)
    page = client.get(reverse("estates:company"))
    assert page.status_code == 200
    html = body(page)
    assert small_city.compound.name in html
    assert "8 complaints" in html
    assert "B" in html
    url = reverse("estates:record_object", args=[records[0].pk])
    assert client.post(url, {"reason": "其中3件为重复投诉"}).status_code == 302
    assert CreditObjection.objects.filter(record=records[0]).count() == 1
    # Another operator cannot even find the record.
    client.force_login(personas.operator_b)
    assert client.post(url, {"reason": "x"}).status_code == 404


def test_mayor_sees_progress_chart_data_and_ranking(client, small_city, personas, campaign):
    client.force_login(personas.mayor)
    page = client.get(reverse("estates:supervision"))
    assert page.status_code == 200
    html = body(page)
    assert 'id="progress-data"' in html
    assert "estates/progress-chart.js" in html
    assert small_city.property_company.name in html
    assert no_inline_script(html.replace('<script id="progress-data" type="application/json">', ""))


def test_committee_steps_paper_ballot_close_certify_and_pdf(client, small_city, personas, register):
    officer = personas.community_officer  # east community: C-1
    client.force_login(officer)
    votes_url = reverse("estates:compound_votes", args=[register.compound.pk])
    assert client.get(votes_url).status_code == 200
    opens = timezone.localtime() + dt.timedelta(days=16)
    created = client.post(
        votes_url,
        {
            "matter": "hire_manager",
            "title": "续聘物业服务企业",
            "text": "是否续聘现物业服务企业三年。",
            "opens_at": opens.strftime("%Y-%m-%dT%H:%M"),
            "closes_at": (opens + dt.timedelta(days=7)).strftime("%Y-%m-%dT%H:%M"),
        },
    )
    assert created.status_code == 302
    proposal = Proposal.objects.get(compound=register.compound)
    manage = reverse("estates:manage_proposal", args=[proposal.pk])
    assert client.post(manage, {"action": "notice", "expected": "draft"}).status_code == 302
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.NOTICED
    with time_machine.travel(opens + dt.timedelta(minutes=5), tick=False):
        client.force_login(officer)
        client.post(manage, {"action": "open", "expected": "noticed"})
        proposal.refresh_from_db()
        assert proposal.status == ProposalStatus.OPEN
        for owner in register.owners[:5]:
            scan = SimpleUploadedFile("b.pdf", b"%PDF-1.4 scan", content_type="application/pdf")
            r = client.post(
                manage, {"action": "paper", "owner": owner.pk, "choice": "agree", "scan": scan}
            )
            assert r.status_code == 302
        noscan = client.post(
            manage, {"action": "paper", "owner": register.owners[5].pk, "choice": "agree"}
        )
        assert noscan.status_code == 400
    assert Ballot.objects.filter(proposal=proposal, channel="paper").count() == 5
    with time_machine.travel(opens + dt.timedelta(days=7, minutes=5), tick=False):
        client.force_login(officer)
        client.post(manage, {"action": "close", "expected": "open"})
        client.post(manage, {"action": "certify", "expected": "closed"})
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.CERTIFIED
    page = client.get(manage)
    assert reverse("estates:certificate", args=[proposal.pk]) in body(page)
    pdf = client.get(reverse("estates:certificate", args=[proposal.pk]))
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    # The west street's officer may not manage the east compound's vote.
    client.force_login(personas.street_officer)
    assert client.get(manage).status_code == 404
    assert client.get(votes_url).status_code == 404


def test_open_proposal_is_visible_to_its_managers_only(client, personas, register):
    p = open_proposal(register.compound, actor=personas.community_officer)
    client.force_login(register.users[0])  # an owner, not on the committee
    assert client.get(reverse("estates:manage_proposal", args=[p.pk])).status_code == 404


def test_demo_journey_campaign_vote_and_credit_from_cases(
    client,
    small_city,
    personas,
    register,
    campaign,
    property_case,  # noqa: F811
):
    """Issue 7's "done means", walked through the pages on the small city."""
    # 1. A compound without management is resolved through the campaign.
    target = campaign.targets.get()
    assert target.compound == small_city.compound_unmanaged
    url = reverse("estates:target", args=[target.pk])
    with time_machine.travel(dt.datetime(2026, 6, 1, 2, tzinfo=dt.UTC), tick=False):
        client.force_login(personas.street_officer)
        client.post(
            url,
            {
                "action": "plan",
                "chosen_model": "professional",
                "deadline": "2026-09-30",
                "milestones": "2026-07-15 业主大会选聘物业",
            },
        )
        evidence = SimpleUploadedFile("contract.pdf", b"%PDF-1.4", content_type="application/pdf")
        client.post(url, {"action": "report", "text": "已选聘物业，合同签订", "evidence": evidence})
        r = client.post(
            url,
            {
                "action": "resolve",
                "company": small_city.property_company.pk,
                "contract_number": "WY-2026-01",
                "contract_start": "2026-06-01",
                "contract_end": "2029-05-31",
            },
        )
        assert r.status_code == 302
    small_city.compound_unmanaged.refresh_from_db()
    assert small_city.compound_unmanaged.management_model == ManagementModel.PROFESSIONAL
    client.force_login(personas.mayor)
    progress = client.get(reverse("estates:supervision")).context["progress"]
    assert [(p.targeted, p.resolved, p.overdue) for p in progress] == [(1, 1, 0)]

    # 2. An owners' vote is held online and certified.
    notice_at = dt.datetime(2026, 11, 2, 1, tzinfo=dt.UTC)
    opens = notice_at + dt.timedelta(days=16)
    with time_machine.travel(notice_at, tick=False):
        client.force_login(personas.community_officer)
        client.post(
            reverse("estates:compound_votes", args=[register.compound.pk]),
            {
                "matter": "hire_manager",
                "title": "续聘物业服务企业",
                "text": "是否续聘现物业服务企业三年。",
                "opens_at": timezone.localtime(opens).strftime("%Y-%m-%dT%H:%M"),
                "closes_at": timezone.localtime(opens + dt.timedelta(days=7)).strftime(
                    "%Y-%m-%dT%H:%M"
                ),
            },
        )
        proposal = Proposal.objects.get(compound=register.compound)
        manage = reverse("estates:manage_proposal", args=[proposal.pk])
        client.post(manage, {"action": "notice"})
    with time_machine.travel(opens + dt.timedelta(minutes=1), tick=False):
        client.force_login(personas.community_officer)
        client.post(manage, {"action": "open"})
        for user in register.users[:5]:
            client.force_login(user)
            r = client.post(reverse("estates:proposal", args=[proposal.pk]), {"choice": "agree"})
            assert r.status_code == 302
    with time_machine.travel(opens + dt.timedelta(days=7, minutes=1), tick=False):
        client.force_login(personas.community_officer)
        client.post(manage, {"action": "close"})
        client.post(manage, {"action": "certify"})
    proposal.refresh_from_db()
    assert (proposal.status, proposal.passed) == (ProposalStatus.CERTIFIED, True)
    client.force_login(register.users[0])
    pdf = client.get(reverse("estates:certificate", args=[proposal.pk]))
    assert pdf.status_code == 200
    assert pdf.content.startswith(b"%PDF")

    # 3. A company's grade changes because of real case records, and the change is explained.
    client.force_login(personas.mayor)
    before = {
        r.company.pk: r.grade for r in client.get(reverse("estates:supervision")).context["ranking"]
    }
    for _ in range(4):
        property_case()
    property_case(late=True, reworks=2)
    property_case(late=True, reworks=2)
    with time_machine.travel(dt.datetime(2026, 11, 1, 2, tzinfo=dt.UTC), tick=False):
        with translation.override("zh-hans"):
            call_command("credit_from_cases", "--month", "2026-10", stdout=io.StringIO())
        client.force_login(personas.mayor)
        ranking = client.get(reverse("estates:supervision")).context["ranking"]
        after = {r.company.pk: r.grade for r in ranking}
        client.force_login(personas.property_staff)
        company_page = body(client.get(reverse("estates:company")))
    company = small_city.property_company
    assert before[company.pk] == "AA"
    assert after[company.pk] == "B"  # 80 − 3 − 4 − 10 (on-time capped) = 63
    # The job ran in Chinese, so the stored explanation reads as the bureau writes it.
    assert "本期投诉 6 件" in company_page
    assert "按时处置率 66.7%" in company_page
    assert "返工 4 件" in company_page
    assert "−17.00 分" in company_page


def test_company_cases_link_only_to_cases_the_company_may_open(
    client,
    small_city,
    personas,
    property_case,  # noqa: F811 (the fixture)
):
    from cityops.cases.models import Category
    from cityops.cases.services import case_report, case_transition
    from cityops.estates.tests.test_credit_job import IN_COMPOUND

    dispatched = property_case()
    rejected = case_report(
        source="inspector",
        category=Category.objects.get(kind="property", code="0101"),
        lon=IN_COMPOUND[0],
        lat=IN_COMPOUND[1],
        address="测试花园小区1号楼",
        description="重复上报",
        answers={"people_trapped": "no", "building": "1号楼"},
        actor=personas.inspector,
    )
    assert rejected.routed_org_id == small_city.property_company.pk
    case_transition(
        case_id=rejected.pk,
        action="reject",
        actor=personas.intake_clerk,
        payload=Reject(reason="重复"),
    )
    client.force_login(personas.property_staff)
    html = body(client.get(reverse("estates:company")))
    assert reverse("console:case-detail", args=[dispatched.pk]) in html
    assert rejected.number not in html
    for link in set(re.findall(r'href="(/console/cases/\d+/)"', html)):
        assert client.get(link).status_code == 200, link


def test_closed_vote_result_reads_as_a_table_with_the_vote_term(client, personas, register):
    proposal = open_proposal(register.compound, actor=personas.community_officer)
    from cityops.estates.services.votes import ballot_cast, proposals_advance

    for owner, user in zip(register.owners[:5], register.users[:5], strict=True):
        ballot_cast(proposal_id=proposal.pk, owner=owner, choice="agree", actor=user)
    proposal.refresh_from_db()
    # The window is whole minutes: what the pages print (HH:MM) is when the close bites.
    assert proposal.closes_at.second == 0
    assert proposal.closes_at.microsecond == 0
    with time_machine.travel(proposal.closes_at, tick=False):
        assert proposals_advance()["closed"] == 1
    client.force_login(personas.community_officer)
    with translation.override("zh-hans"):
        html = body(
            client.get(
                reverse("estates:manage_proposal", args=[proposal.pk]),
                HTTP_ACCEPT_LANGUAGE="zh-hans",
            )
        )
    assert "StepLine(" not in html
    assert "<td>参与表决面积（" in html  # a table cell, not a printed Python object
    assert "已结束" in html
    assert "已结案" not in html
    closes = timezone.localtime(proposal.closes_at).strftime("%Y-%m-%d %H:%M")
    assert closes in html


def test_proposal_times_are_whole_minutes_never_earlier(personas, register):
    from cityops.estates.services.votes import proposal_create

    base = timezone.now().replace(second=44, microsecond=5) + dt.timedelta(days=20)
    proposal = proposal_create(
        compound=register.compound,
        matter="hire_manager",
        title="续聘",
        text="是否续聘。",
        opens_at=base,
        closes_at=base + dt.timedelta(days=7, seconds=13),
        actor=personas.community_officer,
    )
    minute = dt.timedelta(minutes=1)
    assert proposal.opens_at == base.replace(second=0, microsecond=0) + minute
    assert (
        proposal.closes_at
        == (base + dt.timedelta(days=7)).replace(second=0, microsecond=0) + minute
    )
    whole = base.replace(second=0, microsecond=0)
    exact = proposal_create(
        compound=register.compound, matter="hire_manager", title="续聘", text="是否续聘。",
        opens_at=whole, closes_at=whole + dt.timedelta(days=7), actor=personas.community_officer,
    )  # fmt: skip
    assert (exact.opens_at, exact.closes_at) == (whole, whole + dt.timedelta(days=7))


def test_owners_see_no_staff_menu(client, personas, register):
    open_proposal(register.compound, actor=personas.community_officer)
    client.force_login(register.users[0])
    html = body(client.get(reverse("estates:home")))
    for staff_only in ("console:home", "console:case-list", "console:case-map"):
        assert f'href="{reverse(staff_only)}"' not in html, staff_only
    assert reverse("public:my-reports") in html
    client.force_login(personas.community_officer)
    assert f'href="{reverse("console:case-map")}"' in body(client.get(reverse("estates:officer")))
