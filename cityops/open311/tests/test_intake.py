"""The Open311 intake queue: a POST is checked and stored, the drain files it as a case."""

from __future__ import annotations

import datetime as dt
import json
import time
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cityops.cases.models import Case, CaseEvent, Category
from cityops.cases.services import case_report
from cityops.cases.services.intake_batch import PublicReport, case_report_many
from cityops.core.errors import DomainError
from cityops.core.models import AuditEvent, Credential
from cityops.open311 import intake
from cityops.open311.intake import intake_drain
from cityops.open311.keys import key_check, key_revoke
from cityops.open311.models import IntakeStatus, Open311Request
from cityops.open311.selectors import category_for_post
from cityops.open311.tests.conftest import WEST, filed_case

pytestmark = pytest.mark.django_db
VOLUME = {"attribute[volume_m3]": "1"}


@pytest.fixture
def no_kick(monkeypatch: pytest.MonkeyPatch, settings: Any) -> None:
    """POSTs only queue (no drain requested): as with a busy or absent worker."""
    settings.OPEN311_INTAKE_KICK_SECONDS = 3600
    monkeypatch.setattr(intake, "_last_kick", time.monotonic())


def token_of(response: Any) -> str:
    assert response.status_code == 200, response.content
    body = json.loads(response.content)
    number = body[0]["service_request_id"]  # reserved at once, before the drain runs
    assert Open311Request.objects.get(token=body[0]["token"]).number == number
    return str(body[0]["token"])


def test_a_post_is_queued_encrypted_and_the_drain_files_it(
    post: Any, client: Client, no_kick: None
) -> None:
    token = token_of(post(phone="13912345678", first_name="三", last_name="张", **VOLUME))
    record = Open311Request.objects.get(token=token)
    assert record.status == IntakeStatus.QUEUED
    assert record.case is None
    assert json.loads(record.payload)["phone"] == "13912345678"
    with connection.cursor() as cursor:  # at rest: ciphertext only
        cursor.execute("SELECT payload FROM open311_open311request WHERE id = %s", [record.pk])
        stored = cursor.fetchone()[0]
    assert "13912345678" not in stored
    assert "张" not in stored
    assert not Case.objects.exists()
    number = record.number
    assert number
    found = json.loads(client.get(f"/open311/v2/tokens/{token}.json").content)
    assert found == [{"service_request_id": number, "token": token}]
    # Queued, no case yet: its number answers the minimal record at once.
    minimal = client.get(f"/open311/v2/requests/{number}.json")
    assert minimal.status_code == 200, minimal.content
    row = json.loads(minimal.content)[0]
    assert (row["service_request_id"], row["status"]) == (number, "open")
    assert row["service_code"] == "event-0102"
    assert row["requested_datetime"]
    assert row["description"] == ""
    assert row["lat"] is None
    assert "13912345678" not in minimal.content.decode()

    assert intake_drain() == intake.DrainResult(filed=1, rejected=0)
    record.refresh_from_db()
    assert record.status == IntakeStatus.FILED
    assert record.payload == ""  # the submission is not kept once filed
    case = filed_case(token)
    assert case.number == number  # filed under the number the POST reserved
    assert case.reported_at == record.created_at  # the POST's time, not the drain's
    assert case.reporter_phone == "13912345678"
    assert case.reporter_name == "张三"
    assert case.status == "awaiting_verification"
    assert case.answers == {"volume_m3": 1}
    assert case.client == f"open311:{record.api_key_id}"
    assert CaseEvent.objects.filter(case=case, action="report").count() == 1
    assert AuditEvent.objects.filter(code="case.report", target_id=str(case.pk)).count() == 1
    assert intake_drain() == intake.DrainResult()  # nothing left


def test_with_tasks_run_at_once_the_post_is_filed_before_it_answers(post: Any) -> None:
    token = token_of(post(**VOLUME))
    assert filed_case(token).number


def test_bad_requests_are_refused_before_anything_is_stored(post: Any, no_kick: None) -> None:
    # Far outside the district, a bad phone number, required answers missing.
    for data in ({"lat": "10", "long": "10"}, {"phone": "call me"}, {"service_code": "event-0199"}):
        assert post(**data).status_code == 400
    assert not Open311Request.objects.exists()


def test_a_category_withdrawn_before_the_drain_is_rejected_with_the_reason(
    post: Any, client: Client, no_kick: None, catalogue: dict[str, Category]
) -> None:
    token = token_of(post(**VOLUME))
    Category.objects.filter(pk=catalogue["garbage"].pk).update(active=False)
    assert intake_drain() == intake.DrainResult(filed=0, rejected=1)
    record = Open311Request.objects.get(token=token)
    assert record.status == IntakeStatus.REJECTED
    assert record.payload == ""
    assert record.error
    response = client.get(f"/open311/v2/tokens/{token}.json")
    assert response.status_code == 404
    assert record.error in json.loads(response.content)[0]["description"]
    by_number = client.get(f"/open311/v2/requests/{record.number}.json")
    assert by_number.status_code == 404
    assert record.error in json.loads(by_number.content)[0]["description"]
    assert AuditEvent.objects.filter(code="open311.request.rejected").count() == 1
    assert not Case.objects.exists()


def test_a_key_revoked_before_the_post_arrived_files_nothing(post: Any, no_kick: None) -> None:
    before, after = token_of(post(**VOLUME)), token_of(post(**VOLUME))
    record = Open311Request.objects.get(token=after)
    # Another process answered the second POST from its memory of the key: revoked in between.
    Credential.objects.filter(open311_key__pk=record.api_key_id).update(
        revoked_at=record.created_at - dt.timedelta(microseconds=1)
    )
    Open311Request.objects.filter(token=before).update(
        created_at=record.created_at - dt.timedelta(seconds=5)
    )
    assert intake_drain() == intake.DrainResult(filed=1, rejected=1)
    assert Open311Request.objects.get(token=before).status == IntakeStatus.FILED
    assert Open311Request.objects.get(token=after).status == IntakeStatus.REJECTED


def test_a_retry_answers_the_first_token_queued_or_filed(
    client: Client, api_key: str, catalogue: Any, no_kick: None
) -> None:
    form = {"api_key": api_key, "service_code": "event-0102", "lat": WEST[1],
            "long": WEST[0], "description": "重试", **VOLUME}  # fmt: skip

    def send() -> str:
        return token_of(
            client.post("/open311/v2/requests.json", form, HTTP_IDEMPOTENCY_KEY="retry-1")
        )

    first = send()
    assert send() == first  # still queued
    intake_drain()
    assert send() == first  # filed
    assert Open311Request.objects.count() == 1
    assert Case.objects.count() == 1


def test_claims_do_not_overlap_and_stale_claims_are_taken_over(
    post: Any, no_kick: None, settings: Any
) -> None:
    for _ in range(3):
        token_of(post(**VOLUME))
    first = intake._claim(2)
    second = intake._claim(2)
    assert len(first) == 2
    assert len(second) == 1
    assert not {r.pk for r in first} & {r.pk for r in second}
    assert intake._claim(2) == []  # everything is claimed
    Open311Request.objects.filter(pk=first[0].pk).update(
        claimed_at=timezone.now() - dt.timedelta(seconds=settings.OPEN311_INTAKE_CLAIM_SECONDS + 1)
    )
    assert [r.pk for r in intake._claim(2)] == [first[0].pk]  # its drain died: taken over


def test_a_case_already_filed_under_the_key_is_linked_not_duplicated(
    post: Any, no_kick: None, catalogue: dict[str, Category]
) -> None:
    token = token_of(post(**VOLUME))
    record = Open311Request.objects.get(token=token)
    Open311Request.objects.filter(pk=record.pk).update(idempotency_key="dup-1")
    existing = case_report(
        source="public", category=catalogue["garbage"], lon=WEST[0], lat=WEST[1],
        address="", description="先到", answers={"volume_m3": 1},
        client=f"open311:{record.api_key_id}", idempotency_key="dup-1",
    )  # fmt: skip
    assert intake_drain() == intake.DrainResult(filed=1, rejected=0)
    assert filed_case(token) == existing
    assert Case.objects.count() == 1


def test_an_unreadable_submission_is_rejected(post: Any, no_kick: None) -> None:
    token = token_of(post(**VOLUME))
    record = Open311Request.objects.get(token=token)
    record.payload = "{not json"
    record.save(update_fields=["payload"])
    assert intake_drain() == intake.DrainResult(filed=0, rejected=1)
    assert Open311Request.objects.get(token=token).status == IntakeStatus.REJECTED


def test_the_batch_writer_files_what_case_report_files(catalogue: dict[str, Category]) -> None:
    now = timezone.now()
    reports = [
        PublicReport(category_id=catalogue["garbage"].pk, lon=WEST[0], lat=WEST[1],
                     address=f"地址 {i}", description=f"问题 {i}", reported_at=now,
                     answers={"volume_m3": str(i + 1)}, reporter_phone="13800138000")
        for i in range(3)
    ]  # fmt: skip
    bad = PublicReport(category_id=catalogue["garbage"].pk, lon=10.0, lat=10.0, address="",
                       description="外地", reported_at=now, answers={"volume_m3": "1"})  # fmt: skip
    outcomes = case_report_many([reports[0], bad, *reports[1:]])
    assert isinstance(outcomes[1], DomainError)
    assert outcomes[1].field == "lon"
    batch = [o for o in outcomes if isinstance(o, Case)]
    single = case_report(
        source="public", category=catalogue["garbage"], lon=WEST[0], lat=WEST[1],
        address="地址 0", description="问题 0", answers={"volume_m3": "1"},
        reporter_phone="13800138000",
    )  # fmt: skip
    numbers = [int(c.number[-5:]) for c in batch]
    assert numbers == sorted(numbers)
    assert len(set(numbers)) == 3
    assert int(single.number[-5:]) == numbers[-1] + 1
    fields = ("status", "grid_id", "community_id", "street_id", "routed_org_id", "lot_id",
              "contract_id", "service_type", "routing_explanation", "answers")  # fmt: skip
    stored = Case.objects.get(pk=batch[0].pk)
    for name in fields:
        assert getattr(stored, name) == getattr(single, name), name
    assert stored.reporter_phone_index == single.reporter_phone_index
    assert stored.tracking_hash
    assert stored.tracking_hash != single.tracking_hash
    assert CaseEvent.objects.filter(case_id__in=[c.pk for c in batch]).count() == 3
    assert AuditEvent.objects.filter(
        code="case.report", target_id__in=[str(c.pk) for c in batch]
    ).count() == 3  # fmt: skip


def test_the_posts_memories_of_key_and_category_forget_edits(
    api_key: str, catalogue: dict[str, Category]
) -> None:
    key = key_check(api_key, max_age=60)
    assert key is not None
    with CaptureQueriesContext(connection) as queries:
        assert key_check(api_key, max_age=60) == key
    assert len(queries) == 0
    key_revoke(key_id=key.pk)
    assert key_check(api_key, max_age=60) is None

    code = "event-0102"
    category = category_for_post(code)
    assert category is not None
    with CaptureQueriesContext(connection) as queries:
        assert category_for_post(code) is category
    assert len(queries) == 0
    category.active = False
    category.save(update_fields=["active"])
    assert category_for_post(code) is None


def test_the_scheduler_job_drains_the_queue(post: Any, no_kick: None) -> None:
    from cityops.core.scheduler import job_run, jobs

    assert "open311_intake" in [job.name for job in jobs()]
    token = token_of(post(**VOLUME))
    job_run("open311_intake")
    assert filed_case(token)


def test_healthz_says_when_requests_wait_too_long_for_the_worker(
    post: Any, client: Client, no_kick: None, settings: Any
) -> None:
    settings.CITYOPS_HEALTH_CHECKS = ["cityops.open311.intake.queue_health"]
    token = token_of(post(**VOLUME))
    health = client.get("/healthz").json()
    assert health["status"] == "ok"
    assert health["checks"]["queue_health"]["queued"] == 1
    Open311Request.objects.filter(token=token).update(
        created_at=timezone.now() - dt.timedelta(seconds=settings.OPEN311_INTAKE_ALERT_SECONDS + 60)
    )
    health = client.get("/healthz").json()
    assert health["status"] == "degraded"
    assert health["checks"]["queue_health"]["ok"] is False
    assert (
        health["checks"]["queue_health"]["oldest_seconds"] > settings.OPEN311_INTAKE_ALERT_SECONDS
    )
    intake_drain()
    assert client.get("/healthz").json()["status"] == "ok"
