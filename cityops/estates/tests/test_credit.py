import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from cityops.core.errors import Conflict, DomainError, PermissionDenied
from cityops.estates.models import CreditBand, CreditScoreChange
from cityops.estates.selectors import company_ranking, credit_history
from cityops.estates.services.credit import (
    blacklist_add,
    blacklist_lift,
    credit_case_statistics_record,
    credit_objection_decide,
    credit_objection_raise,
    credit_record_add,
    credit_score_of,
)

TODAY = dt.date(2026, 6, 1)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(dt.datetime(2026, 6, 1, 10, tzinfo=dt.UTC), tick=False):
        yield


def test_case_statistics_change_the_grade_and_the_change_is_explained(small_city, personas):
    company = small_city.property_company
    assert credit_score_of(company).grade == "AA"  # default base 80
    credit_case_statistics_record(
        company=company, period="2026-05", complaints=8, on_time_rate=Decimal("0.80"), rework=3
    )
    score = credit_score_of(company)
    # 80 − 4 (complaints) − 3 (rework) − 5 (on-time 10 points below 90 %) = 68 → B
    assert score.score == Decimal("68.00")
    assert score.grade == "B"
    change = credit_history(company)[0]
    assert (change.previous_grade, change.grade) == ("", "B")
    assert "2026-05" in change.cause
    assert "Complaints" in change.cause
    # The same period again replaces, never doubles.
    credit_case_statistics_record(
        company=company, period="2026-05", complaints=0, on_time_rate=Decimal("0.99"), rework=0
    )
    assert credit_score_of(company).score == Decimal("82.00")
    latest = credit_history(company)[0]
    assert (latest.previous_grade, latest.grade) == ("B", "AA")
    with pytest.raises(DomainError):
        credit_case_statistics_record(
            company=company, period="2026-05", complaints=-1, on_time_rate=Decimal(1), rework=0
        )
    with pytest.raises(DomainError, match="property companies"):
        credit_case_statistics_record(
            company=small_city.operator_a,
            period="x",
            complaints=0,
            on_time_rate=Decimal(1),
            rework=0,
        )


def test_records_validity_and_who_may_add(small_city, personas):
    company = small_city.property_company
    with pytest.raises(PermissionDenied):
        credit_record_add(
            company=company,
            kind="good",
            source="award",
            points=Decimal(5),
            reason="x",
            actor=personas.property_staff,
        )
    with pytest.raises(DomainError, match="evidence"):
        credit_record_add(
            company=company,
            kind="bad",
            source="manual",
            points=Decimal(5),
            reason="x",
            actor=personas.supervisor,
        )
    award = credit_record_add(
        company=company,
        kind="good",
        source="award",
        points=Decimal(6),
        reason="市级示范项目",
        actor=personas.supervisor,
    )
    assert award.valid_until == dt.date(2027, 5, 31)
    assert credit_score_of(company).grade == "AAA"
    assert credit_score_of(company, day=dt.date(2027, 6, 1)).grade == "AA"  # expired
    credit_record_add(
        company=company,
        kind="bad",
        source="manual",
        points=Decimal(20),
        reason="擅自撤离",
        actor=personas.supervisor,
        evidence=SimpleUploadedFile("p.pdf", b"%PDF"),
    )
    assert credit_score_of(company).grade == "B"  # 80 + 6 − 20 = 66
    assert CreditScoreChange.objects.filter(company=company).count() == 2


def test_objection_upheld_voids_the_record(small_city, personas):
    company = small_city.property_company
    bad = credit_record_add(
        company=company,
        kind="bad",
        source="penalty",
        points=Decimal(15),
        reason="行政处罚",
        actor=personas.supervisor,
    )
    with pytest.raises(PermissionDenied):  # charlie: another company
        credit_objection_raise(record=bad, reason="不是我们", actor=personas.operator_b)
    objection = credit_objection_raise(
        record=bad, reason="处罚已撤销", actor=personas.property_staff
    )
    with pytest.raises(Conflict):
        credit_objection_raise(record=bad, reason="again", actor=personas.property_staff)
    with pytest.raises(PermissionDenied):
        credit_objection_decide(
            objection=objection, upheld=True, note="", actor=personas.property_staff
        )
    credit_objection_decide(
        objection=objection, upheld=True, note="复议撤销", actor=personas.supervisor
    )
    assert credit_score_of(company).score == Decimal("80.00")
    assert "Objection upheld" in credit_history(company)[0].cause
    with pytest.raises(Conflict):
        credit_objection_decide(
            objection=objection, upheld=False, note="", actor=personas.supervisor
        )


def test_objection_rejected_keeps_the_record(small_city, personas):
    company = small_city.property_company
    bad = credit_record_add(
        company=company,
        kind="bad",
        source="inspection",
        points=Decimal(3),
        reason="巡查不合格",
        actor=personas.supervisor,
    )
    objection = credit_objection_raise(record=bad, reason="异议", actor=personas.property_staff)
    credit_objection_decide(
        objection=objection, upheld=False, note="证据充分", actor=personas.supervisor
    )
    assert credit_score_of(company).score == Decimal("77.00")


def test_blacklist_and_configurable_bands_and_ranking(small_city, personas):
    company = small_city.property_company
    entry = blacklist_add(company=company, reason="一票否决", actor=personas.supervisor)
    assert credit_score_of(company).grade == "C"
    with pytest.raises(Conflict):
        blacklist_add(company=company, reason="again", actor=personas.supervisor)
    blacklist_lift(entry=entry, lifted_on=dt.date(2026, 6, 2), actor=personas.supervisor)
    assert credit_score_of(company, day=dt.date(2026, 6, 2)).grade == "AA"
    CreditBand.objects.filter(grade="AA").update(min_score=Decimal("81"))
    assert credit_score_of(company, day=dt.date(2026, 6, 2)).grade == "A"
    rows = company_ranking()
    assert [r.company for r in rows] == [company]
    assert rows[0].blacklisted
