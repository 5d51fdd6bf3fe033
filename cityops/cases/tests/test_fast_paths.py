"""The intake hot path's shortcuts behave like the ORM calls they replace."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.db.models.signals import post_save
from django.test.utils import CaptureQueriesContext
from django.utils.functional import lazy

from cityops.cases.access import access_case
from cityops.cases.models import Case, CaseEvent, Question
from cityops.cases.services import case_transition
from cityops.core.audit import audit_record
from cityops.core.errors import DomainError, NotFound
from cityops.core.models import AuditEvent
from cityops.core.ormfast import insert_one
from cityops.registry.spatial import pinned_index, registry_index


def test_insert_one_writes_what_save_would(report, personas) -> None:
    case = report()
    event = insert_one(
        CaseEvent(case=case, at=case.reported_at, action="x", to_status="reported", data={"a": 1})
    )
    stored = CaseEvent.objects.get(pk=event.pk)
    assert (stored.case_id, stored.action, stored.data, stored.reason) == (
        case.pk,
        "x",
        {"a": 1},
        "",
    )
    assert stored.at == case.reported_at
    assert not event._state.adding
    audit = audit_record(code="t.x", target=case, actor=personas.inspector, data={"k": "v"})
    row = AuditEvent.objects.get(pk=audit.pk)
    expected = ("t.x", str(case.pk), personas.inspector.pk, {"k": "v"})
    assert (row.code, row.target_id, row.actor_id, row.data) == expected
    assert row.at is not None


def test_insert_one_falls_back_to_save_when_someone_listens(report) -> None:
    case = report()
    seen: list[Any] = []

    def listener(sender: Any, instance: Any, created: bool, **kwargs: Any) -> None:
        seen.append((instance.pk, created))

    post_save.connect(listener, sender=CaseEvent)
    try:
        event = insert_one(CaseEvent(case=case, at=case.reported_at, action="y", to_status="r"))
    finally:
        post_save.disconnect(listener, sender=CaseEvent)
    assert seen == [(event.pk, True)]


def test_access_case_compiled_query_keeps_scopes_apart(report, personas) -> None:
    case = report()  # west: operator A's lot, not yet dispatched
    assert access_case(case.pk, personas.dispatcher).pk == case.pk
    assert access_case(case.pk, personas.dispatcher).category.code == case.category.code
    for outsider in (personas.operator_a, personas.operator_b, personas.citizen, None):
        with pytest.raises(NotFound):
            access_case(case.pk, outsider)
    with pytest.raises(NotFound):
        access_case("nonsense", personas.dispatcher)  # type: ignore[arg-type]
    with pytest.raises(NotFound):
        access_case(case.pk + 1000, personas.dispatcher)


def test_pinned_index_reads_the_version_once(small_city) -> None:
    registry_index()
    with CaptureQueriesContext(connection) as queries, pinned_index() as idx:
        assert registry_index() is idx
        assert registry_index() is idx
    assert len(queries) == 1
    with CaptureQueriesContext(connection) as queries:
        registry_index()
    assert len(queries) == 1


def test_insert_one_converts_values_that_are_not_plain(report) -> None:
    """Plain values go straight in; anything else still takes the field's conversion."""
    case = report()
    lazy_text = lazy(lambda: "延期原因", str)()
    event = insert_one(
        CaseEvent(
            case=case, at=case.reported_at, action="x", to_status="reported", reason=lazy_text
        )
    )
    assert CaseEvent.objects.get(pk=event.pk).reason == "延期原因"


def test_routing_follows_a_street_office_change(report, catalogue, small_city) -> None:
    """Routing remembers look-ups per registry version: a change is seen by the next report."""
    first = report(category=catalogue["illegal_building"])
    assert first.routed_org_id == small_city.street_office_west.pk
    office = small_city.street_office_west
    office.active = False
    office.save()
    second = report(category=catalogue["illegal_building"])
    assert second.routed_org_id != office.pk
    office.active = True
    office.save()
    assert report(category=catalogue["illegal_building"]).routed_org_id == office.pk


def test_a_new_required_question_applies_to_the_next_report(report, catalogue) -> None:
    report()
    Question.objects.create(
        category=catalogue["garbage"], code="volume", label="数量", kind="string", required=True
    )
    with pytest.raises(DomainError):
        report()
    assert report(answers={"volume": "两袋"}).answers == {"volume": "两袋"}


def test_transitions_keep_the_reporter_fields(report, personas) -> None:
    """Writers lock the row without the encrypted reporter fields; they stay untouched."""
    case = report(reporter_name="张三丰", reporter_phone="13812345678")
    accepted = case_transition(case_id=case.pk, action="accept", actor=personas.intake_clerk)
    assert accepted.reporter_name == "张三丰"  # loaded on first read
    stored = Case.objects.get(pk=case.pk)
    assert (stored.reporter_name, stored.reporter_phone) == ("张三丰", "13812345678")
    assert stored.status == "accepted"
