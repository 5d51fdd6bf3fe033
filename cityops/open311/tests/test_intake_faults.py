"""The drain under faults: a bad request set aside, fenced filing, dead workers' claims."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from cityops.cases.models import Case
from cityops.core import workers
from cityops.core.models import AuditEvent, Heartbeat
from cityops.open311 import intake
from cityops.open311.intake import DrainResult, intake_drain
from cityops.open311.models import IntakeStatus, Open311Request
from cityops.open311.tests.test_intake import VOLUME, no_kick, token_of

pytestmark = pytest.mark.django_db
__all__ = ["no_kick"]  # a fixture


def queue(post: Any, n: int) -> list[str]:
    return [token_of(post(description=f"第 {i} 处垃圾", **VOLUME)) for i in range(n)]


def corrupt(token: str, **changes: Any) -> None:
    record = Open311Request.objects.get(token=token)
    data = json.loads(record.payload)
    data.update(changes)
    record.payload = json.dumps(data, ensure_ascii=False)
    record.save(update_fields=["payload"])


BAD_ROWS = [
    pytest.param({"component": "abc"}, id="unreadable-component"),
    pytest.param(
        {"description": "垃圾\x00堆"},
        id="nul-byte",
        marks=pytest.mark.skipif(
            connection.vendor != "postgresql", reason="only PostgreSQL refuses NUL in text"
        ),
    ),
]


@pytest.mark.parametrize("bad", BAD_ROWS)
def test_one_bad_request_is_set_aside_and_the_others_are_filed(
    post: Any, client: Client, no_kick: None, bad: dict[str, Any]
) -> None:
    tokens = queue(post, 3)
    corrupt(tokens[1], **bad)
    assert intake_drain() == DrainResult(filed=2, rejected=0, failed=1)
    statuses = dict(Open311Request.objects.values_list("token", "status"))
    assert [statuses[t] for t in tokens] == ["filed", "failed", "filed"]
    assert Case.objects.count() == 2
    failed = Open311Request.objects.get(token=tokens[1])
    assert failed.claim == ""
    assert failed.error
    assert json.loads(failed.payload)["description"]  # kept for the operators
    event = AuditEvent.objects.get(code="open311.request.failed")
    assert event.target_id == str(failed.pk)
    assert event.data["error"]
    # Alerted, and the client learns it was not filed.
    health = client.get("/healthz").json()
    assert health["checks"]["queue_health"]["failed"] == 1
    assert health["checks"]["queue_health"]["ok"] is False
    answer = client.get(f"/open311/v2/tokens/{tokens[1]}.json")
    assert answer.status_code == 404
    by_number = client.get(f"/open311/v2/requests/{failed.number}.json")
    assert by_number.status_code == 404
    assert failed.error in json.loads(by_number.content)[0]["description"]
    # Filed one by one (the batch failed), each under the number its POST reserved.
    for token in (tokens[0], tokens[2]):
        record = Open311Request.objects.select_related("case").get(token=token)
        assert record.case is not None
        assert record.case.number == record.number
    # The queue is not blocked: nothing is left, and a later drain has nothing to retry.
    assert intake_drain() == DrainResult()


def test_filing_commits_only_while_the_drain_still_holds_its_claim(
    post: Any, no_kick: None
) -> None:
    queue(post, 3)
    records = intake._claim(10)  # this drain claims, then stalls past its claim…
    assert len(records) == 3
    # … meanwhile another drain takes the batch over.
    Open311Request.objects.update(claim="other.abc", claimed_at=timezone.now())
    assert intake._file(records) == DrainResult()
    assert not Case.objects.exists()
    assert not AuditEvent.objects.filter(target_type="cases.case").exists()
    assert set(Open311Request.objects.values_list("status", "claim")) == {("queued", "other.abc")}


def test_the_one_by_one_path_is_fenced_too(post: Any, no_kick: None) -> None:
    tokens = queue(post, 2)
    corrupt(tokens[0], component="abc")  # the batch fails: one at a time
    records = intake._claim(10)
    Open311Request.objects.filter(token=tokens[1]).update(claim="other.abc")
    assert intake._file(records) == DrainResult(failed=1)
    assert not Case.objects.exists()
    assert Open311Request.objects.get(token=tokens[1]).status == IntakeStatus.QUEUED


def _claimed_by(token: str, *, age: float) -> None:
    Open311Request.objects.update(
        claim=f"{token}.abc", claimed_at=timezone.now() - dt.timedelta(seconds=age)
    )


def test_claims_of_a_worker_that_stopped_beating_are_taken_over_promptly(
    post: Any, no_kick: None, settings: Any
) -> None:
    settings.CITYOPS_HEARTBEAT_TIMEOUT_SECONDS = 45
    assert settings.OPEN311_INTAKE_CLAIM_SECONDS > 100
    queue(post, 2)
    old = timezone.now() - dt.timedelta(seconds=100)
    Heartbeat.objects.create(token="dead", kind="worker", hostname="h", pid=1, beat_at=old)
    _claimed_by("dead", age=60)
    assert intake_drain().filed == 2


@pytest.mark.parametrize(
    ("owner", "age"),
    [
        pytest.param("live", 60, id="worker-still-beating"),
        pytest.param("-", 60, id="no-worker-only-the-claim-timeout"),
        pytest.param("dead", 10, id="claim-younger-than-the-heartbeat-timeout"),
    ],
)
def test_claims_of_live_workers_are_kept(
    post: Any, no_kick: None, settings: Any, owner: str, age: float
) -> None:
    settings.CITYOPS_HEARTBEAT_TIMEOUT_SECONDS = 45
    queue(post, 2)
    Heartbeat.objects.create(token="live", kind="worker", hostname="h", pid=1)
    _claimed_by(owner, age=age)
    assert intake_drain() == DrainResult()
    assert not Case.objects.exists()


def test_a_worker_takes_back_its_own_claims_left_by_a_dropped_drain(
    post: Any, no_kick: None, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The database went away mid-batch: the claim committed, the filing did not. The same
    (live) worker's next drain files them at once, not after the claim timeout."""
    settings.CITYOPS_HEARTBEAT_TIMEOUT_SECONDS = 45
    queue(post, 2)
    Heartbeat.objects.create(token="me", kind="worker", hostname="h", pid=1)
    _claimed_by("me", age=60)
    monkeypatch.setattr(workers, "_token", "me")  # this process is worker "me"
    assert intake_drain().filed == 2
