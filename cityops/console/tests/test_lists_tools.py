"""Saved filters, bulk dispatch and the reveal-reporter button of the staff console."""

from __future__ import annotations

import pytest
from django.urls import reverse

from cityops.cases.models import Case, Status
from cityops.cases.services import case_transition
from cityops.cases.services.payloads import File
from cityops.console.models import SavedFilter
from cityops.console.tests.conftest import EAST
from cityops.core.models import AuditEvent

pytestmark = pytest.mark.django_db


def filed(report, personas, **kwargs) -> Case:
    case = report(**kwargs)
    case_transition(case_id=case.pk, action="accept", actor=personas.intake_clerk)
    return case_transition(
        case_id=case.pk, action="file", actor=personas.shift_lead, payload=File(condition_met=True)
    )


# --- Saved filters ---------------------------------------------------------------------------


def test_save_apply_and_delete_a_filter(login, personas, report):
    client = login(personas.dispatcher)
    response = client.post(
        reverse("console:filter-save"),
        {"name": "红灯", "query": "overdue=on&page=3&bogus=1&status=dispatched", "share": ""},
    )
    row = SavedFilter.objects.get(owner=personas.dispatcher, name="红灯")
    # Only the filter's own keys are kept (no page, nothing unknown), in a stable order.
    assert row.query == "status=dispatched&overdue=on"
    assert response["Location"].endswith("?status=dispatched&overdue=on")
    assert AuditEvent.objects.filter(code="console.saved_filter.created").count() == 1
    page = client.get(reverse("console:case-list")).content.decode()
    assert 'data-saved-filter="红灯"' in page
    assert "?status=dispatched&amp;overdue=on" in page

    # Saving the same name replaces it instead of failing.
    client.post(reverse("console:filter-save"), {"name": "红灯", "query": "urgency=urgent"})
    row.refresh_from_db()
    assert row.query == "urgency=urgent"
    assert AuditEvent.objects.filter(code="console.saved_filter.changed").count() == 1

    client.post(reverse("console:filter-delete", args=[row.pk]))
    assert not SavedFilter.objects.filter(pk=row.pk).exists()
    assert AuditEvent.objects.filter(code="console.saved_filter.deleted").count() == 1


def test_a_filter_needs_a_name(login, personas):
    client = login(personas.dispatcher)
    response = client.post(
        reverse("console:filter-save"), {"name": "  ", "query": "q=x"}, follow=True
    )
    assert response.status_code == 200
    assert not SavedFilter.objects.exists()
    notes = list(response.context["messages"])
    assert [m.level_tag for m in notes] == ["error"]
    assert "q=x" in response.request["QUERY_STRING"]  # back on the list with the same filter


def test_private_and_shared_filters(login, personas, report):
    client = login(personas.dispatcher)
    client.post(reverse("console:filter-save"), {"name": "mine", "query": "q=a"})
    client.post(reverse("console:filter-save"), {"name": "team", "query": "q=b", "share": "on"})
    login(personas.operator_a).post(
        reverse("console:filter-save"), {"name": "unit-a", "query": "q=c", "share": "on"}
    )
    # The shift lead (command centre, no organisation) sees the command centre's shared one.
    page = login(personas.shift_lead).get(reverse("console:case-list")).content.decode()
    assert 'data-saved-filter="team"' in page
    assert 'data-saved-filter="mine"' not in page
    assert 'data-saved-filter="unit-a"' not in page
    # Operator B's unit sees neither the command centre's nor unit A's filters.
    page = login(personas.operator_b).get(reverse("console:case-list")).content.decode()
    assert "data-saved-filter" not in page


def test_nobody_deletes_another_users_filter(login, personas):
    row = SavedFilter.objects.create(owner=personas.dispatcher, name="x", query="", shared=True)
    response = login(personas.shift_lead).post(reverse("console:filter-delete", args=[row.pk]))
    assert response.status_code == 404
    assert SavedFilter.objects.filter(pk=row.pk).exists()


# --- Bulk dispatch ---------------------------------------------------------------------------


def test_bulk_dispatch_each_case_on_its_own(login, personas, report):
    west = filed(report, personas)
    east = filed(report, personas, point=EAST)
    taken = filed(report, personas)
    page = login(personas.dispatcher).get(reverse("console:case-list")).content.decode()
    assert f'value="{west.pk}:{west.version}"' in page
    # Someone else dispatches one of them between the page load and the submit.
    case_transition(case_id=taken.pk, action="dispatch", actor=personas.dispatcher)
    response = login(personas.dispatcher).post(
        reverse("console:bulk-dispatch"),
        {
            "cases": [f"{c.pk}:{c.version}" for c in (west, east, taken)] + ["999999"],
            "back": "status=filed",
        },
    )
    assert response.status_code == 200
    body = response.content.decode()
    west.refresh_from_db()
    east.refresh_from_db()
    assert west.status == east.status == Status.DISPATCHED
    assert west.assignee == west.routed_org
    assert east.assignee == east.routed_org
    assert 'data-code="conflict"' in body  # the case dispatched by someone else
    assert 'data-code="not_found"' in body
    assert "已派遣 2 个案件，2 个未派遣。" in body  # the default language: Simplified Chinese
    assert AuditEvent.objects.filter(code="case.dispatch").count() == 3
    assert reverse("console:case-list") + "?status=filed" in body


def test_bulk_dispatch_to_a_chosen_unit_needs_a_reason(login, personas, report, small_city):
    case = filed(report, personas)
    other = small_city.operator_b
    client = login(personas.dispatcher)
    body = client.post(
        reverse("console:bulk-dispatch"), {"cases": [str(case.pk)], "unit": other.pk}
    ).content.decode()
    case.refresh_from_db()
    assert case.status == Status.FILED
    assert 'data-code="reason_required"' in body
    client.post(
        reverse("console:bulk-dispatch"),
        {"cases": [str(case.pk)], "unit": other.pk, "reason": "跨区支援"},
    )
    case.refresh_from_db()
    assert (case.status, case.assignee) == (Status.DISPATCHED, other)


def test_bulk_dispatch_bad_input_is_a_400(login, personas, report):
    client = login(personas.dispatcher)
    assert client.post(reverse("console:bulk-dispatch"), {}).status_code == 400
    assert client.post(reverse("console:bulk-dispatch"), {"cases": ["x:y"]}).status_code == 400
    assert (
        client.post(reverse("console:bulk-dispatch"), {"cases": ["1"], "unit": "abc"}).status_code
        == 400
    )


def test_bulk_dispatch_is_for_dispatchers_only(login, personas, report):
    case = filed(report, personas)
    page = login(personas.shift_lead).get(reverse("console:case-list")).content.decode()
    assert "data-bulk-form" not in page
    response = login(personas.shift_lead).post(
        reverse("console:bulk-dispatch"), {"cases": [str(case.pk)]}
    )
    assert response.status_code == 404
    case.refresh_from_db()
    assert case.status == Status.FILED


# --- Reveal the reporter ---------------------------------------------------------------------


def test_reveal_reporter_swaps_the_masked_value_and_audits(login, personas, report):
    case = report(reporter_name="王五", reporter_phone="13712345678", actor=personas.intake_clerk,
                  source="hotline")  # fmt: skip
    client = login(personas.dispatcher)
    page = client.get(reverse("console:case-detail", args=[case.pk])).content.decode()
    assert "13712345678" not in page
    assert "data-reveal" in page
    response = client.post(reverse("console:case-reveal", args=[case.pk]), HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert response.status_code == 200
    assert "13712345678" in body
    assert "王五" in body
    assert "<html" not in body
    assert (
        AuditEvent.objects.filter(code="case.reporter_revealed", actor=personas.dispatcher).count()
        == 1
    )
    # Without htmx: the whole case page with the revealed value.
    page = client.post(reverse("console:case-reveal", args=[case.pk])).content.decode()
    assert "13712345678" in page
    assert "<html" in page


def test_reveal_refused_to_other_roles_and_out_of_scope(login, personas, report):
    case = report(reporter_phone="13712345678", actor=personas.intake_clerk, source="hotline")
    inspector = login(personas.inspector)
    page = inspector.get(reverse("console:case-detail", args=[case.pk])).content.decode()
    assert "data-reveal" not in page
    response = inspector.post(reverse("console:case-reveal", args=[case.pk]))
    assert response.status_code == 403
    assert "13712345678" not in response.content.decode()
    response = login(personas.operator_b).post(reverse("console:case-reveal", args=[case.pk]))
    assert response.status_code == 404
    assert not AuditEvent.objects.filter(code="case.reporter_revealed").exists()
    assert (
        login(personas.dispatcher).get(reverse("console:case-reveal", args=[case.pk])).status_code
        == 405
    )
