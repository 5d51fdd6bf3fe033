"""The operator desk: the unit's open cases in pages, filtered by the case list's one filter,
status tabs with counts, every choice kept in the query string, htmx gets the results only."""

from __future__ import annotations

import pytest
from django.urls import reverse

from cityops.cases.services import case_transition
from cityops.cases.services.payloads import RequestReturn
from cityops.console import views

pytestmark = pytest.mark.django_db
URL = reverse("console:desk")
ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}


@pytest.fixture
def three(dispatched, personas):
    cases = [dispatched(description=f"desk case {i}") for i in range(3)]
    case_transition(
        case_id=cases[0].pk,
        action="request_return",
        actor=personas.operator_a,
        payload=RequestReturn(reason="不属本单位"),
    )
    return cases


def test_pages_of_the_page_size_with_the_filter_kept(
    login, personas, three, monkeypatch, django_assert_max_num_queries
):
    monkeypatch.setattr(views, "DESK_PAGE_SIZE", 2)
    client = login(personas.operator_a)
    # (the page is two queries: its ids in order, then those rows with their related objects)
    with django_assert_max_num_queries(13):
        first = client.get(URL, {"q": "desk case"}, **ZH).content.decode()
    assert sum(c.number in first for c in three) == 2
    assert 'href="?q=desk+case&amp;page=2"' in first
    second = client.get(URL, {"q": "desk case", "page": "2"}, **ZH).content.decode()
    assert sum(c.number in second for c in three) == 1
    assert 'rel="prev"' in second
    assert 'rel="next"' not in second


def test_status_tabs_count_and_filter(login, personas, three):
    client = login(personas.operator_a)
    html = client.get(URL, **ZH).content.decode()
    assert '全部在办 <span class="count">(3)</span>' in html
    assert '已派遣 <span class="count">(2)</span>' in html
    assert '回退申请中 <span class="count">(1)</span>' in html
    returned = client.get(URL, {"status": "return_requested"}, **ZH).content.decode()
    assert three[0].number in returned
    assert three[1].number not in returned
    assert 'aria-current="page" hx-get="?status=return_requested"' in returned


def test_filters_of_the_one_case_filter(login, personas, three, catalogue):
    client = login(personas.operator_a)
    html = client.get(URL, {"q": three[1].number}).content.decode()
    assert three[1].number in html
    assert three[2].number not in html
    other = client.get(URL, {"category": catalogue["collapse"].pk}).content.decode()
    assert three[0].number not in other


def test_htmx_gets_the_results_only(login, personas, three):
    html = login(personas.operator_a).get(URL, HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in html
    assert three[2].number in html


@pytest.mark.parametrize(
    "params",
    [{"page": "x"}, {"page": "-4"}, {"status": "nonsense"}, {"sort": "bad"}, {"category": "x"}],
)
def test_bad_parameters_never_500(login, personas, three, params):
    assert login(personas.operator_a).get(URL, params).status_code == 200


def test_another_unit_sees_none_of_them(login, personas, three):
    html = login(personas.operator_b).get(URL).content.decode()
    assert not any(c.number in html for c in three)
