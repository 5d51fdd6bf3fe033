"""Contract of the ORM fast paths (``cityops.core.ormfast``) with the installed Django.

Each fast path is compared with the plain ORM call it replaces, on real models and the real
database: a Django upgrade that changes the internals they use fails here, in one place.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cityops.cases.models import Case, CaseEvent
from cityops.core.models import AuditEvent
from cityops.core.ormfast import (
    PreparedGet,
    cas_update,
    cas_update_linked,
    first_where,
    insert_linked,
    insert_one,
    insert_rows,
)

pytestmark = pytest.mark.django_db

AT = dt.datetime(2026, 11, 30, 9, 30, tzinfo=dt.UTC)


def _values(obj: Any, *, skip: tuple[str, ...] = ("id",)) -> dict[str, Any]:
    return {
        f.attname: getattr(obj, f.attname)
        for f in type(obj)._meta.concrete_fields
        if f.attname not in skip
    }


def test_insert_one_stores_what_save_stores(personas: Any) -> None:
    data = {"code": "x.y", "actor": personas.admin, "target_type": "t", "target_id": "7",
            "summary": "摘要", "data": {"a": [1, "二"]}, "at": AT}  # fmt: skip
    fast = insert_one(AuditEvent(**data))
    slow = AuditEvent(**data)
    slow.save(force_insert=True)
    assert fast.pk is not None
    assert fast.pk != slow.pk
    assert fast._state.adding is False
    assert _values(AuditEvent.objects.get(pk=fast.pk)) == _values(
        AuditEvent.objects.get(pk=slow.pk)
    )


def test_insert_rows_fills_defaults_like_the_orm(personas: Any) -> None:
    before = timezone.now()
    insert_rows(AuditEvent, [{"code": "bulk.a", "actor_id": personas.admin.pk}, {"code": "bulk.b"}])
    rows = list(AuditEvent.objects.filter(code__startswith="bulk.").order_by("code"))
    assert [r.code for r in rows] == ["bulk.a", "bulk.b"]
    assert rows[0].actor_id == personas.admin.pk
    assert rows[1].actor_id is None
    assert all(r.at >= before - dt.timedelta(seconds=1) for r in rows)  # the field's default
    assert all(r.data == AuditEvent._meta.get_field("data").get_default() for r in rows)


def test_first_where_answers_like_filter_first(personas: Any) -> None:
    for code in ("fw.one", "fw.two"):
        AuditEvent.objects.create(code=code, actor=personas.admin, data={"k": code}, at=AT)
    fast = first_where(AuditEvent, "code = %s", ["fw.two"])
    slow = AuditEvent.objects.filter(code="fw.two").first()
    assert fast is not None
    assert slow is not None
    assert _values(fast, skip=()) == _values(slow, skip=())
    assert first_where(AuditEvent, "code = %s", ["absent"]) is None


def test_cas_update_changes_what_the_orm_update_changes(report: Any) -> None:
    fast, slow = report(), report()
    moment = timezone.now().replace(microsecond=0)
    values = {"description": "新的描述", "updated_at": moment}
    assert cas_update(Case, pk=fast.pk, old_version=fast.version, values=values) == 1
    Case.objects.filter(pk=slow.pk, version=slow.version).update(version=F("version") + 1, **values)
    got, want = Case.objects.get(pk=fast.pk), Case.objects.get(pk=slow.pk)
    assert (got.description, got.updated_at, got.version) == (
        want.description,
        want.updated_at,
        want.version,
    )
    # A stale version changes nothing (the compare-and-swap lost).
    assert cas_update(Case, pk=fast.pk, old_version=fast.version, values=values) == 0
    # Expressions go through the ORM and still bump the version.
    shifted = {"reminded_for": F("deadline_at")}
    assert cas_update(Case, pk=fast.pk, old_version=got.version, values=shifted) == 1
    assert Case.objects.get(pk=fast.pk).version == got.version + 1


def test_prepared_get_maps_rows_like_the_orm(report: Any) -> None:
    case = report()
    prepared: PreparedGet[Case] = PreparedGet(
        lambda alias, key: Case.objects.using(alias).select_related("category")
    )
    for _ in range(2):  # compiled once, then reused with the new key
        fast = prepared.get("default", "all", case.pk)
        assert fast is not None
        with CaptureQueriesContext(connection) as queries:
            assert fast.category.code == case.category.code  # select_related populated
        assert len(queries) == 0
        assert _values(fast, skip=()) == _values(Case.objects.get(pk=case.pk), skip=())
    assert prepared.get("default", "all", case.pk + 10_000) is None


@pytest.mark.parametrize("listening", [False, True], ids=["one statement", "with a listener"])
def test_insert_linked_stores_what_save_stores(personas: Any, listening: bool) -> None:
    """A row and a row naming it (here an audit row whose text ``target_id`` names another):
    the same rows as ``save()`` one after the other, keys set; with a save-signal listener the
    rows go through ``save()`` (the listener hears both)."""
    from django.db.models.signals import post_save

    heard: list[str] = []

    def listener(sender: Any, instance: Any, **kwargs: Any) -> None:
        heard.append(instance.code)

    if listening:
        post_save.connect(listener, sender=AuditEvent)
    try:
        parent = AuditEvent(code="p.x", actor=personas.admin, summary="父", at=AT, data={"a": 1})
        child = AuditEvent(code="c.x", target_type="core.auditevent", at=AT, data={"b": [2]})
        insert_linked(parent, [(child, "target_id")])
    finally:
        post_save.disconnect(listener, sender=AuditEvent)
    assert heard == (["p.x", "c.x"] if listening else [])
    assert parent.pk is not None
    assert child.pk is not None
    assert child.target_id == str(parent.pk)
    slow_parent = AuditEvent(code="p.x", actor=personas.admin, summary="父", at=AT, data={"a": 1})
    slow_parent.save(force_insert=True)
    slow_child = AuditEvent(
        code="c.x", target_type="core.auditevent", target_id=str(parent.pk), at=AT, data={"b": [2]}
    )
    slow_child.save(force_insert=True)
    assert _values(AuditEvent.objects.get(pk=parent.pk)) == _values(
        AuditEvent.objects.get(pk=slow_parent.pk)
    )
    assert _values(AuditEvent.objects.get(pk=child.pk)) == _values(
        AuditEvent.objects.get(pk=slow_child.pk)
    )


def test_insert_linked_writes_all_or_nothing(personas: Any) -> None:
    """A child that cannot be stored leaves no parent behind (one statement or one transaction)."""
    from django.db import IntegrityError, transaction

    parent = AuditEvent(code="p.fails", at=AT)
    child = AuditEvent(code=None, at=AT)  # type: ignore[misc]  # NOT NULL
    with pytest.raises(IntegrityError), transaction.atomic():
        insert_linked(parent, [(child, "target_id")])
    assert not AuditEvent.objects.filter(code="p.fails").exists()


def test_cas_update_linked_writes_what_update_and_save_write(report: Any, personas: Any) -> None:
    """The update and its rows (an event, an audit row naming the event) as ``cas_update`` and
    ``save()`` one after the other write them; a lost compare-and-swap writes nothing."""
    fast, slow = report(), report()
    moment = timezone.now().replace(microsecond=0)
    values = {"status": "accepted", "updated_at": moment, "accepted_at": moment}

    def rows(case: Case) -> tuple[CaseEvent, AuditEvent]:
        event = CaseEvent(
            case=case,
            at=moment,
            actor=personas.intake_clerk,
            action="accept",
            from_status="reported",
            to_status="accepted",
            data={"n": [1, "二"]},
        )
        audit = AuditEvent(
            code="case.accept",
            target_type="cases.case",
            target_id=str(case.pk),
            actor=personas.intake_clerk,
            summary="摘要",
            at=AT,
            data={"from": "reported", "event": None, "photos": []},
        )
        return event, audit  # fmt: skip

    event, audit = rows(fast)
    assert cas_update_linked(
        Case, pk=fast.pk, old_version=fast.version, values=values, rows=[event, audit],
        key_into=(1, "data", "event"),
    )  # fmt: skip
    assert event.pk is not None
    assert audit.pk is not None
    assert audit.data["event"] == event.pk
    assert cas_update(Case, pk=slow.pk, old_version=slow.version, values=values) == 1
    slow_event, slow_audit = rows(slow)
    slow_event.save(force_insert=True)
    slow_audit.data["event"] = slow_event.pk
    slow_audit.save(force_insert=True)
    # Fields that differ between two reports anyway (numbers, nonces, times, ciphertexts).
    skip = ("id", "number", "tracking_hash", "tracking_nonce", "created_at", "reported_at")
    assert _values(Case.objects.get(pk=fast.pk), skip=skip) == _values(
        Case.objects.get(pk=slow.pk), skip=skip
    )
    got_event, want_event = (
        CaseEvent.objects.get(pk=event.pk),
        CaseEvent.objects.get(pk=slow_event.pk),
    )
    assert _values(got_event, skip=("id", "case_id")) == _values(want_event, skip=("id", "case_id"))
    got, want = AuditEvent.objects.get(pk=audit.pk), AuditEvent.objects.get(pk=slow_audit.pk)
    assert got.data == {**want.data, "event": event.pk}
    assert _values(got, skip=("id", "target_id", "data")) == _values(
        want, skip=("id", "target_id", "data")
    )
    # Lost: the stored version moved on; no row is written, the case is unchanged.
    events, audits = CaseEvent.objects.count(), AuditEvent.objects.count()
    late_event, late_audit = rows(fast)
    assert not cas_update_linked(
        Case, pk=fast.pk, old_version=fast.version, values={"status": "voided"},
        rows=[late_event, late_audit], key_into=(1, "data", "event"),
    )  # fmt: skip
    assert (CaseEvent.objects.count(), AuditEvent.objects.count()) == (events, audits)
    assert late_event.pk is None
    assert Case.objects.get(pk=fast.pk).status == "accepted"
