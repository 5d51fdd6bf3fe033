"""The housing bureau's desk: campaigns, credit records, objections, black list, evidence,
and the estates navigation of every role."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError
from django.test import Client
from django.urls import reverse

from cityops.accounts.models import Role
from cityops.accounts.services import user_ensure
from cityops.core.models import AuditEvent
from cityops.estates.models import (
    BlacklistEntry,
    Campaign,
    CampaignTarget,
    CreditObjection,
    CreditRecord,
    CreditScoreChange,
    ObjectionStatus,
    TargetStatus,
)
from cityops.estates.services.bodies import Seat, committee_interim_form
from cityops.estates.services.campaigns import campaign_create
from cityops.estates.services.credit import (
    blacklist_add,
    credit_objection_raise,
    credit_record_add,
    credit_score_of,
)
from cityops.registry.models import ManagementModel, Organisation, OrganisationKind, ServiceType
from cityops.registry.testing import make_uscc

START, END = dt.date(2026, 1, 1), dt.date(2026, 12, 31)


@pytest.fixture(autouse=True)
def _media_in_tmp(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _english_pages(client: Client, settings: Any) -> None:
    """Pages in English (the source strings) whatever the default language."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


def body(response: Any) -> str:
    return str(response.content.decode())


def pdf(name: str = "decision.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"%PDF-1.4 evidence", content_type="application/pdf")


@pytest.fixture
def company_b(small_city: Any) -> tuple[Organisation, Any]:
    """A second property company and its staff member."""
    org = Organisation.objects.create(
        kind=OrganisationKind.OPERATOR,
        operator_type=ServiceType.PROPERTY,
        name="戊物业公司(测试)",
        uscc=make_uscc(9),
    )
    staff = user_ensure(
        username="propco-b", password="x-Secret-123", role=Role.OPERATOR_STAFF, organisation=org
    )
    return org, staff


# --- Campaigns -------------------------------------------------------------------------------


def test_campaign_pages_roles(client, small_city, personas):
    url = reverse("estates:campaigns")
    assert client.get(url).status_code == 302
    for who in (personas.citizen, personas.street_officer, personas.property_staff):
        client.force_login(who)
        assert client.get(url).status_code == 404
    client.force_login(personas.mayor)  # reads, never starts one
    page = client.get(url)
    assert page.status_code == 200
    assert "Start the campaign" not in body(page)
    form = {"name": "x", "starts_on": "2026-01-01", "ends_on": "2026-12-31"}
    assert client.post(url, form).status_code == 404
    assert not Campaign.objects.exists()


def test_supervisor_starts_a_campaign_with_the_ticked_compounds(client, small_city, personas):
    client.force_login(personas.supervisor)
    url = reverse("estates:campaigns")
    page = client.get(url)
    html = body(page)
    assert small_city.compound_unmanaged.name in html  # offered, ticked by default
    assert small_city.compound.name not in html  # has a company: not a target
    bad = client.post(
        url, {"name": "2027 提升年", "starts_on": "2027-12-31", "ends_on": "2027-01-01"}
    )
    assert bad.status_code == 400
    assert "ends before it starts" in body(bad)
    ok = client.post(
        url,
        {
            "name": "2027 提升年",
            "starts_on": "2027-01-01",
            "ends_on": "2027-12-31",
            "compounds": [small_city.compound_unmanaged.pk],
        },
    )
    campaign = Campaign.objects.get(name="2027 提升年")
    assert ok.status_code == 302
    assert ok["Location"] == reverse("estates:campaign", args=[campaign.pk])
    target = campaign.targets.get()
    assert target.compound == small_city.compound_unmanaged
    assert target.street == small_city.compound_unmanaged.community.street
    assert target.deadline == dt.date(2027, 12, 31)
    assert AuditEvent.objects.filter(code="estates.campaign.created").exists()
    dup = client.post(
        url,
        {
            "name": "2027 提升年",
            "starts_on": "2027-01-01",
            "ends_on": "2027-12-31",
            "compounds": [small_city.compound_unmanaged.pk],
        },
    )
    assert dup.status_code == 409
    assert Campaign.objects.count() == 1
    detail = client.get(reverse("estates:campaign", args=[campaign.pk]))
    assert small_city.compound_unmanaged.name in body(detail)
    assert client.get(reverse("estates:campaign", args=[campaign.pk + 99])).status_code == 404


def test_a_compound_found_later_is_added_to_the_list(client, small_city, personas):
    campaign = campaign_create(name="提升年", starts_on=START, ends_on=END, compounds=[])
    url = reverse("estates:campaign", args=[campaign.pk])
    client.force_login(personas.mayor)
    assert client.post(url, {"compound": small_city.compound_unmanaged.pk}).status_code == 404
    client.force_login(personas.supervisor)
    managed = client.post(url, {"compound": small_city.compound.pk})
    assert managed.status_code == 400  # not offered: it has a company
    assert client.post(url, {"compound": small_city.compound_unmanaged.pk}).status_code == 302
    assert campaign.targets.get().compound == small_city.compound_unmanaged
    again = client.post(url, {"compound": small_city.compound_unmanaged.pk})
    assert again.status_code == 400  # no longer offered
    assert campaign.targets.count() == 1


def test_campaign_creation_is_atomic(small_city, personas):
    with pytest.raises(IntegrityError):
        campaign_create(
            name="重复",
            starts_on=START,
            ends_on=END,
            compounds=[small_city.compound_unmanaged, small_city.compound_unmanaged],
            actor=personas.supervisor,
        )
    assert not Campaign.objects.filter(name="重复").exists()
    assert not AuditEvent.objects.filter(code="estates.campaign.created").exists()


def test_campaign_services_refuse_officers(small_city, personas):
    from cityops.core.errors import PermissionDenied

    with pytest.raises(PermissionDenied):
        campaign_create(name="x", starts_on=START, ends_on=END, actor=personas.street_officer)


def test_officer_resolves_through_the_pages_and_the_mayor_sees_it(client, small_city, personas):
    campaign = campaign_create(name="提升年", starts_on=START, ends_on=END)
    target = campaign.targets.get()
    url = reverse("estates:target", args=[target.pk])
    client.force_login(personas.street_officer)
    client.post(url, {"action": "plan", "chosen_model": "fallback", "deadline": "2026-09-30"})
    client.post(url, {"action": "report", "text": "国企已进场", "evidence": pdf("entry.pdf")})
    no_manager = client.post(url, {"action": "resolve"})
    assert no_manager.status_code == 400  # a state-owned fallback manager must be named
    assert "needs a manager" in body(no_manager)
    resolved = client.post(
        url,
        {
            "action": "resolve",
            "company": small_city.property_company.pk,
            "contract_start": "2026-07-01",
            "contract_end": "2029-06-30",
        },
    )
    assert resolved.status_code == 302
    target.refresh_from_db()
    assert target.status == TargetStatus.RESOLVED
    small_city.compound_unmanaged.refresh_from_db()
    assert small_city.compound_unmanaged.management_model == ManagementModel.FALLBACK
    report = target.reports.get()
    evidence = reverse("estates:report_evidence", args=[report.pk])
    assert evidence in body(client.get(url))
    download = client.get(evidence)
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"%PDF-1.4 evidence"
    # The east community officer does not answer for the west's compound.
    client.force_login(personas.community_officer)
    assert client.get(evidence).status_code == 404
    client.force_login(personas.mayor)
    page = body(client.get(reverse("estates:campaign", args=[campaign.pk])))
    assert "Resolved" in page
    progress = client.get(reverse("estates:supervision"), {"campaign": campaign.pk})
    assert progress.context["progress"][0].resolved == 1


# --- Credit ----------------------------------------------------------------------------------


def test_credit_desk_only_for_supervisors(client, small_city, personas):
    url = reverse("estates:credit_desk")
    for who in (personas.mayor, personas.property_staff, personas.street_officer):
        client.force_login(who)
        assert client.get(url).status_code == 404
    client.force_login(personas.supervisor)
    assert client.get(url).status_code == 200


def test_manual_record_needs_evidence_and_rescores_with_history(client, small_city, personas):
    company = small_city.property_company
    client.force_login(personas.supervisor)
    url = reverse("estates:credit_desk")
    form = {
        "action": "record",
        "company": company.pk,
        "kind": "bad",
        "source": "manual",
        "points": "12",
        "reason": "擅自停止电梯维保",
    }
    missing = client.post(url, form)
    assert missing.status_code == 400
    assert "needs its evidence" in body(missing)
    script = SimpleUploadedFile("evidence.html", b"<script>alert(1)</script>")
    wrong_type = client.post(url, {**form, "evidence": script})
    assert wrong_type.status_code == 400
    negative = client.post(url, {**form, "points": "-3", "evidence": pdf()})
    assert negative.status_code == 400
    assert not CreditRecord.objects.exists()
    assert client.post(url, {**form, "evidence": pdf()}).status_code == 302
    record = CreditRecord.objects.get()
    assert record.evidence.name
    assert credit_score_of(company).grade == "B"  # 80 − 12 = 68
    change = CreditScoreChange.objects.get(company=company)
    assert (change.previous_grade, change.grade) == ("", "B")
    assert "擅自停止电梯维保" in change.cause
    client.force_login(personas.property_staff)
    page = body(client.get(reverse("estates:company")))
    assert "擅自停止电梯维保" in page
    assert "68.00" in page


def test_objections_are_scoped_and_decided_with_a_reason(client, small_city, personas, company_b):
    company = small_city.property_company
    _other, other_staff = company_b
    record = credit_record_add(
        company=company,
        kind="bad",
        source="inspection",
        points=Decimal(10),
        reason="巡查发现垃圾堆积",
        actor=personas.supervisor,
    )
    client.force_login(personas.property_staff)
    assert (
        client.post(
            reverse("estates:record_object", args=[record.pk]), {"reason": "已当日清运,附照片"}
        ).status_code
        == 302
    )
    objection = CreditObjection.objects.get()
    # Company B sees neither the record nor the objection, and cannot object for A.
    client.force_login(other_staff)
    page = body(client.get(reverse("estates:company")))
    assert "已当日清运" not in page
    assert "巡查发现垃圾堆积" not in page
    assert (
        client.post(reverse("estates:record_object", args=[record.pk]), {"reason": "x"}).status_code
        == 404
    )
    decide = reverse("estates:objection", args=[objection.pk])
    assert client.get(decide).status_code == 404
    client.force_login(personas.property_staff)
    assert client.get(decide).status_code == 404
    # The supervisor decides: a reason is required.
    client.force_login(personas.supervisor)
    desk = body(client.get(reverse("estates:credit_desk")))
    assert decide in desk
    assert client.post(decide, {"decision": "uphold", "note": ""}).status_code == 400
    assert client.post(decide, {"decision": "maybe", "note": "x"}).status_code == 400
    objection.refresh_from_db()
    assert objection.status == ObjectionStatus.PENDING
    assert credit_score_of(company).score == Decimal("70.00")
    ok = client.post(decide, {"decision": "uphold", "note": "照片证明已整改"})
    assert ok.status_code == 302
    objection.refresh_from_db()
    record.refresh_from_db()
    assert objection.status == ObjectionStatus.UPHELD
    assert record.voided
    assert credit_score_of(company).score == Decimal("80.00")
    last = CreditScoreChange.objects.filter(company=company).order_by("-id").first()
    assert last is not None
    assert "Objection upheld" in last.cause
    assert (last.previous_grade, last.grade) == ("A", "AA")
    assert AuditEvent.objects.filter(code="estates.credit.objection_upheld").exists()
    again = client.post(decide, {"decision": "reject", "note": "再议"})
    assert again.status_code == 409
    client.force_login(personas.property_staff)
    page = body(client.get(reverse("estates:company")))
    assert "照片证明已整改" in page
    assert "Upheld" in page


def test_rejected_objection_keeps_the_record(client, small_city, personas):
    company = small_city.property_company
    record = credit_record_add(
        company=company,
        kind="bad",
        source="penalty",
        points=Decimal(5),
        reason="罚款",
        actor=personas.supervisor,
    )
    objection = credit_objection_raise(record=record, reason="不服", actor=personas.property_staff)
    client.force_login(personas.supervisor)
    decide = reverse("estates:objection", args=[objection.pk])
    assert client.post(decide, {"decision": "reject", "note": "处罚决定有效"}).status_code == 302
    record.refresh_from_db()
    assert not record.voided
    assert credit_score_of(company).score == Decimal("75.00")


def test_black_list_add_and_lift_from_the_desk(client, small_city, personas):
    company = small_city.property_company
    client.force_login(personas.supervisor)
    url = reverse("estates:credit_desk")
    assert client.post(url, {"action": "blacklist", "company": company.pk}).status_code == 400
    assert (
        client.post(
            url, {"action": "blacklist", "company": company.pk, "reason": "一票否决:重大安全事故"}
        ).status_code
        == 302
    )
    assert credit_score_of(company).grade == "C"
    dup = client.post(url, {"action": "blacklist", "company": company.pk, "reason": "again"})
    assert dup.status_code == 409
    assert BlacklistEntry.objects.count() == 1
    entry = BlacklistEntry.objects.get()
    assert "一票否决" in body(client.get(url))
    assert client.post(url, {"action": "lift", "entry": entry.pk}).status_code == 302
    assert client.post(url, {"action": "lift", "entry": entry.pk + 9}).status_code == 404
    assert credit_score_of(company).grade == "AA"
    causes = list(CreditScoreChange.objects.filter(company=company).values_list("cause", flat=True))
    assert any("Black list" in c for c in causes)
    assert any("Removed from the black list" in c for c in causes)


def test_company_credit_page_and_evidence_scope(client, small_city, personas, company_b):
    company = small_city.property_company
    _other, other_staff = company_b
    record = credit_record_add(
        company=company,
        kind="good",
        source="manual",
        points=Decimal(4),
        reason="业主表扬信",
        evidence=pdf("praise.pdf"),
        actor=personas.supervisor,
    )
    page_url = reverse("estates:company_credit", args=[company.pk])
    evidence = reverse("estates:record_evidence", args=[record.pk])
    client.force_login(personas.mayor)
    page = client.get(page_url)
    assert page.status_code == 200
    assert "业主表扬信" in body(page)
    assert evidence in body(page)
    assert client.get(evidence).status_code == 200
    unknown = reverse("estates:company_credit", args=[small_city.operator_a.pk])
    assert client.get(unknown).status_code == 404  # not a property company
    client.force_login(personas.property_staff)
    assert client.get(page_url).status_code == 404
    assert client.get(evidence).status_code == 200  # its own record
    client.force_login(other_staff)
    assert client.get(evidence).status_code == 404
    client.force_login(personas.citizen)
    assert client.get(evidence).status_code == 404


def test_mayor_ranking_links_to_the_credit_file(client, small_city, personas, company_b):
    other, _staff = company_b
    credit_record_add(
        company=other,
        kind="bad",
        source="penalty",
        points=Decimal(15),
        reason="罚款",
        actor=personas.supervisor,
    )
    client.force_login(personas.mayor)
    ranking = client.get(reverse("estates:supervision")).context["ranking"]
    assert [r.company for r in ranking] == [small_city.property_company, other]
    assert [r.grade for r in ranking] == ["AA", "B"]
    # Ranked by grade: the black-listed company drops below one with a lower score.
    blacklist_add(company=small_city.property_company, reason="一票否决", actor=personas.supervisor)
    ranking = client.get(reverse("estates:supervision")).context["ranking"]
    assert [r.company for r in ranking] == [other, small_city.property_company]
    assert ranking[1].score > ranking[0].score


def test_desk_pages_in_chinese(client, small_city, personas):
    client.cookies["django_language"] = "zh-hans"
    client.force_login(personas.supervisor)
    html = body(client.get(reverse("estates:credit_desk")))
    assert "待处理的异议" in html
    assert "列入黑名单" in html
    assert "Objections waiting" not in html
    html = body(client.get(reverse("estates:campaigns")))
    assert "发起提升行动" in html


# --- Navigation ------------------------------------------------------------------------------


def test_navigation_by_estates_role(client, small_city, personas, register):
    def nav(user: Any) -> str:
        client.force_login(user)
        # Owners and committee members are sent on from the console home to /estates/.
        return body(client.get(reverse("console:home"), follow=True))

    owner_page = nav(register.users[0])
    assert reverse("estates:home") in owner_page
    assert reverse("estates:credit_desk") not in owner_page
    member = register.users[1]
    committee_interim_form(
        compound=register.compound,
        seats=[
            Seat(o.name, o, position="chair" if i == 0 else "member")
            for i, o in enumerate(register.owners[1:5])
        ]
        + [Seat("街道代表"), Seat("社区代表"), Seat("居委会代表")],
        actor=personas.supervisor,
    )
    votes = reverse("estates:compound_votes", args=[register.compound.pk])
    assert votes in nav(member)
    assert votes in body(client.get(reverse("estates:home")))  # the owner page leads there too
    client.force_login(register.users[0])  # an owner without a seat
    assert votes not in body(client.get(reverse("estates:home")))
    assert reverse("estates:company") in nav(personas.property_staff)
    assert reverse("estates:company") not in nav(personas.operator_a)
    supervisor = nav(personas.supervisor)
    assert reverse("estates:credit_desk") in supervisor
    assert reverse("estates:campaigns") in supervisor
    mayor = nav(personas.mayor)
    assert reverse("estates:campaigns") in mayor
    assert reverse("estates:credit_desk") not in mayor
    # The estates pages carry the same menu.
    client.force_login(register.users[0])
    assert reverse("estates:home") in body(client.get(reverse("estates:home")))


def test_desk_forms_need_csrf(small_city, personas):
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(personas.supervisor)
    response = strict.post(
        reverse("estates:credit_desk"),
        {"action": "blacklist", "company": small_city.property_company.pk, "reason": "x"},
    )
    assert response.status_code == 403
    assert not BlacklistEntry.objects.exists()
    assert not CampaignTarget.objects.exists()
