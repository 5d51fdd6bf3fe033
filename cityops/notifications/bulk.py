"""Inbox notices in bulk: one INSERT per batch for jobs that tell many people at once.

``notify`` queues one delivery task per recipient, right for a transition that tells a handful
of people. A job that escalates thousands of cases in one pass (the SLA scan) writes the inbox
rows directly instead: rendered per recipient language, inserted in batches, and de-duplicated
by the ``(recipient, dedupe_key)`` unique constraint, so a second worker or a re-run adds
nothing. These notices are inbox-only (no e-mail/SMS delivery rows). A notice may be a digest
(one row per recipient naming many records in its body, the SLA scan's): the title and body are
rendered in the recipient's language like any other.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone, translation
from django.utils.functional import Promise

from cityops.core.ormfast import insert_rows
from cityops.notifications.models import Notification
from cityops.notifications.services import _languages

BATCH = 2000


@dataclass(frozen=True)
class InboxNotice:
    recipient_id: int
    code: str
    title: str | Promise
    url: str
    dedupe_key: str
    target_type: str = ""
    target_id: str = ""
    body: str | Promise = ""


def inbox_many(notices: Iterable[InboxNotice]) -> int:
    """Insert the inbox rows (call inside the job's transaction); returns how many were given.

    Rows whose ``(recipient, dedupe_key)`` already exists are skipped by the database.
    """
    items = list(notices)
    if not items:
        return 0
    languages = _languages({n.recipient_id for n in items})
    now = timezone.now()
    by_language: dict[str, list[InboxNotice]] = {}
    for n in items:
        by_language.setdefault(languages.get(n.recipient_id, settings.LANGUAGE_CODE), []).append(n)
    rows = []
    for language, group in by_language.items():
        with translation.override(language):  # once per language, not per notice
            rows += [
                {
                    "recipient_id": n.recipient_id,
                    "code": n.code,
                    "title": str(n.title)[:200],
                    "body": str(n.body),
                    "url": n.url[:500],
                    "dedupe_key": n.dedupe_key[:200],
                    "in_inbox": True,
                    "target_type": n.target_type,
                    "target_id": n.target_id,
                    "created_at": now,
                }
                for n in group
            ]
    insert_rows(Notification, rows, ignore_conflicts=True)
    return len(items)
