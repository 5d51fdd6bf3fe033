"""The one unit field (registry.fields.UnitChoiceField): grouped by organisation kind in
<optgroup>s, marked for the filter box of console.js, used by dispatch, bulk dispatch and
the case filter; a unit chosen in it reaches the dispatch service."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from cityops.cases.models import Case, Status
from cityops.cases.services import case_transition
from cityops.cases.services.payloads import File
from cityops.registry.fields import UnitChoiceField

pytestmark = pytest.mark.django_db
ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}


def _groups(html: str, name: str) -> list[str]:
    select = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', html, re.S)
    assert select is not None
    return re.findall(r'<optgroup label="([^"]+)">', select.group(1))


def test_the_dispatch_form_groups_the_units_by_kind(login, personas, report, small_city):
    case = report()
    case_transition(case_id=case.pk, action="accept", actor=personas.intake_clerk)
    case_transition(
        case_id=case.pk, action="file", actor=personas.shift_lead, payload=File(condition_met=True)
    )
    html = (
        login(personas.dispatcher)
        .get(reverse("console:case-detail", args=[case.pk]), **ZH)
        .content.decode()
    )
    assert _groups(html, "unit")[:2] == ["作业单位", "街道办事处"]
    assert 'data-unit-filter="输入文字筛选单位"' in html
    # the street office is in its group, an operator in the companies' group
    select = re.search(r'<select name="unit".*?</select>', html, re.S).group(0)  # type: ignore[union-attr]
    companies, streets = select.split('<optgroup label="街道办事处">')[:2]
    assert str(small_city.operator_b) in companies
    assert "西街道办事处(测试)" in streets.split("</optgroup>")[0]


def test_a_chosen_unit_is_dispatched_to(login, personas, report, small_city):
    case = report()
    case_transition(case_id=case.pk, action="accept", actor=personas.intake_clerk)
    case_transition(
        case_id=case.pk, action="file", actor=personas.shift_lead, payload=File(condition_met=True)
    )
    url = reverse("console:case-action", args=[case.pk, "dispatch"])
    client = login(personas.dispatcher)
    bad = client.post(url, {"unit": "999999", "reason": "x"}, **ZH)
    assert bad.status_code == 400
    response = client.post(url, {"unit": small_city.operator_b.pk, "reason": "跨片区支援"})
    assert response.status_code == 302
    case = Case.objects.get(pk=case.pk)
    assert case.status == Status.DISPATCHED
    assert case.assignee_id == small_city.operator_b.pk


def test_list_filter_and_bulk_dispatch_use_the_same_field(login, personas, report):
    report()
    html = login(personas.dispatcher).get(reverse("console:case-list"), **ZH).content.decode()
    assert "作业单位" in _groups(html, "operator")
    assert "作业单位" in _groups(html, "unit")


def test_the_field_reads_nothing_until_drawn(django_assert_num_queries):
    with django_assert_num_queries(0):
        field = UnitChoiceField(label="unit")
        field.widget.choices  # noqa: B018 (lazy: no query)


def test_a_decisions_co_units_field_is_the_same_grouped_filterable_select(
    django_assert_num_queries,
):
    """The multiple variant (a decision's co-units): the same groups and filter box, and the
    chosen units come back as a list."""
    from cityops.decisions.forms import ItemForm
    from cityops.registry.fields import UnitMultipleChoiceField
    from cityops.registry.models import Organisation, OrganisationKind

    with django_assert_num_queries(0):
        UnitMultipleChoiceField(label="units").widget.choices  # noqa: B018 (lazy)
    street = Organisation.objects.create(kind=OrganisationKind.STREET_OFFICE, name="东街道办(测)")
    bureau = Organisation.objects.create(kind=OrganisationKind.DEPARTMENT, name="城管局(测)")
    form = ItemForm()
    field = form.fields["co_units"]
    assert isinstance(field, UnitMultipleChoiceField)
    html = str(form["co_units"])
    assert "multiple" in html
    assert "data-unit-filter" in html
    groups = [label for label, _items in field.grouped()]
    assert groups.index(OrganisationKind.STREET_OFFICE.label) < groups.index(
        OrganisationKind.DEPARTMENT.label
    )
    assert set(field.clean([str(street.pk), str(bureau.pk)])) == {street, bureau}
