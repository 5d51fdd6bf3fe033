"""Policy documents: versions, consultation rounds, legality review, approval, issuance with a
validated 文号, expiry (``transitions.DOCUMENT``). Issuing X closes the items "issue X"."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cityops.accounts.access import actor_for
from cityops.core.audit import audit_record
from cityops.core.errors import DomainError, PermissionDenied
from cityops.core.fsm import fsm_transition
from cityops.core.text import clean_text
from cityops.decisions import access
from cityops.decisions.docnumber import DocNumberError, parse_doc_number
from cityops.decisions.models import (
    Answer,
    ConsultationComment,
    ConsultationRound,
    DocumentStatus,
    DocumentVersion,
    Meeting,
    PolicyDocument,
)
from cityops.decisions.services.common import (
    files_checked,
    liaisons_of,
    section_users,
    supervision_settings,
)
from cityops.decisions.services.items import items_close_for_document
from cityops.decisions.transitions import DOCUMENT
from cityops.notifications.services import notify
from cityops.registry.models import Organisation

EDITABLE = (DocumentStatus.DRAFT, DocumentStatus.CONSULTATION, DocumentStatus.REVIEW)


def _url(document: PolicyDocument) -> str:
    return reverse("decisions:document", args=[document.pk])


def document_create(
    *,
    title: str,
    drafting_unit: Organisation,
    doc_type: str = "意见",
    normative: bool = True,
    actor: Any,
) -> PolicyDocument:
    access.require_section(actor)
    title = clean_text(title).strip()
    if not title:
        raise DomainError(_("Give the document's title."), field="title")
    with transaction.atomic():
        document = PolicyDocument.objects.create(
            title=title,
            drafting_unit=drafting_unit,
            doc_type=clean_text(doc_type)[:10] or "意见",
            normative=normative,
        )
        audit_record(code="decision.document.created", target=document, actor=actor, summary=title)
    return document


def _locked(document_id: int, actor: Any) -> PolicyDocument:
    return access.access_document(document_id, actor, for_write=True)


def document_version_add(
    *, document_id: int, file: Any, note: str = "", actor: Any
) -> DocumentVersion:
    """A new version of the text (every version is kept)."""
    checked = files_checked([file])
    name, kind, data = checked[0]
    with transaction.atomic():
        document = _locked(document_id, actor)
        access.require_drafter(document, actor)
        if document.status not in EDITABLE:
            raise DomainError(_("The document is no longer being drafted."))
        number = document.versions.count() + 1
        version = DocumentVersion(
            document=document,
            number=number,
            name=name,
            content_type=kind,
            size=len(data),
            note=clean_text(note)[:300],
            uploaded_by=actor,
        )
        version.file.save(name, ContentFile(data), save=False)
        version.save()
        audit_record(
            code="decision.document.version_added",
            target=document,
            actor=actor,
            data={"version": number},
        )
    return version


def _transition(
    document: PolicyDocument,
    action: str,
    actor: Any,
    *,
    guards: dict[str, Callable[[], None]] | None = None,
    values: dict[str, Any] | None = None,
    summary: str = "",
    system: bool = False,
) -> None:
    fsm_transition(
        machine=DOCUMENT,
        instance=document,
        action=action,
        actor=actor,
        roles=None if system else actor_for(actor),
        guards=guards,
        values=values,
        audit_code=f"decision.document.{action}",
        summary=summary or str(document),
    )


def document_consult(
    *, document_id: int, opens_on: dt.date, closes_on: dt.date, actor: Any
) -> ConsultationRound:
    """征求意见: a new round; every unit may comment until it closes."""
    if closes_on < opens_on:
        raise DomainError(_("The round closes after it opens."), field="closes_on")
    with transaction.atomic():
        document = _locked(document_id, actor)

        def has_version() -> None:
            if not document.versions.exists():
                raise DomainError(_("Upload the draft first."))

        _transition(
            document,
            "consult",
            actor,
            guards={
                "drafting_unit": lambda: access.require_drafter(document, actor),
                "version": has_version,
            },
        )
        number = document.rounds.count() + 1
        round_ = ConsultationRound.objects.create(
            document=document, number=number, opens_on=opens_on, closes_on=closes_on
        )
    return round_


def consultation_comment_add(
    *, round_id: int, unit: Organisation, text: str, actor: Any
) -> ConsultationComment:
    """A unit's comments in an open round (its liaison, or the section typing a letter in)."""
    text = clean_text(text, multiline=True).strip()
    if not text:
        raise DomainError(_("Write the comments."), field="text")
    with transaction.atomic():
        round_ = ConsultationRound.objects.select_related("document").filter(pk=round_id).first()
        if round_ is None:
            raise DomainError(_("No such consultation round."))
        document = _locked(round_.document_id, actor)
        if document.status != DocumentStatus.CONSULTATION or round_ != document.rounds.last():
            raise DomainError(_("This consultation round is closed."))
        a = actor_for(actor)
        if not a.has_role("supervision_section") and unit.pk not in access.liaison_units(a):
            raise PermissionDenied(_("You comment for your own unit."))
        comment = ConsultationComment.objects.create(round=round_, unit=unit, text=text)
        audit_record(
            code="decision.document.commented",
            target=document,
            actor=actor,
            data={"round": round_.number, "unit": unit.pk},
        )
        notify(
            recipients=list(liaisons_of(document.drafting_unit_id)),
            code="decision.document.comment",
            title=gettext_lazy("New consultation comments"),
            body=str(document),
            url=_url(document),
            target=document,
        )
    return comment


def consultation_answer(
    *, comment_id: int, answer: str, reason: str = "", actor: Any
) -> ConsultationComment:
    """The drafting unit's answer: adopted, partly adopted or not adopted, with reasons."""
    if answer not in (Answer.ADOPTED, Answer.PARTLY, Answer.NOT_ADOPTED):
        raise DomainError(_("Choose an answer."), field="answer")
    reason = clean_text(reason, multiline=True).strip()
    if answer != Answer.ADOPTED and not reason:
        raise DomainError(
            _("Give the reasons when a comment is not fully adopted."), field="reason"
        )
    with transaction.atomic():
        comment = ConsultationComment.objects.select_related("round").filter(pk=comment_id).first()
        if comment is None:
            raise DomainError(_("No such comment."))
        document = _locked(comment.round.document_id, actor)
        access.require_drafter(document, actor)
        if document.status not in EDITABLE:
            raise DomainError(_("The document is no longer being drafted."))
        ConsultationComment.objects.filter(pk=comment.pk).update(
            answer=answer, answer_reason=reason
        )
        comment.answer, comment.answer_reason = answer, reason
        audit_record(
            code="decision.document.answered",
            target=document,
            actor=actor,
            data={"comment": comment.pk, "answer": answer},
        )
    return comment


def document_submit_review(*, document_id: int, actor: Any) -> PolicyDocument:
    with transaction.atomic():
        document = _locked(document_id, actor)

        def answered() -> None:
            if ConsultationComment.objects.filter(
                round__document=document, answer=Answer.PENDING
            ).exists():
                raise DomainError(_("Answer every consultation comment first."))
            if not document.versions.exists():
                raise DomainError(_("Upload the draft first."))

        _transition(
            document,
            "submit_review",
            actor,
            guards={
                "drafting_unit": lambda: access.require_drafter(document, actor),
                "answered": answered,
            },
        )
        notify(
            recipients=list(section_users()),
            code="decision.document.review",
            title=gettext_lazy("A document awaits legality review"),
            body=str(document),
            url=_url(document),
            target=document,
        )
    return document


def document_review(*, document_id: int, passed: bool, note: str, actor: Any) -> PolicyDocument:
    """合法性审核 recorded by the supervision section: passed, or back to drafting."""
    access.require_section(actor)
    note = clean_text(note, multiline=True).strip()
    if not note:
        raise DomainError(_("Write the review's opinion."), field="note")
    with transaction.atomic():
        document = _locked(document_id, actor)
        if document.status != DocumentStatus.REVIEW:
            raise DomainError(_("The document is not under legality review."))
        if passed:
            PolicyDocument.objects.filter(pk=document.pk).update(
                legality_passed=True, legality_note=note
            )
            audit_record(
                code="decision.document.review_passed",
                target=document,
                actor=actor,
                summary=note[:300],
            )
        else:
            _transition(
                document,
                "redraft",
                actor,
                guards={"reason": lambda: None},
                values={"legality_passed": False, "legality_note": note},
                summary=note[:300],
            )
        document.refresh_from_db()
    return document


def document_approve(*, document_id: int, meeting: Meeting, actor: Any) -> PolicyDocument:
    with transaction.atomic():
        document = _locked(document_id, actor)

        def legality() -> None:
            if document.normative and not document.legality_passed:
                raise DomainError(_("A normative document needs a passed legality review."))

        _transition(
            document,
            "approve",
            actor,
            guards={"legality": legality, "meeting": lambda: None},
            values={"approved_by": meeting},
            summary=str(meeting),
        )
    return document


def document_issue(
    *,
    document_id: int,
    number: str,
    issued_on: dt.date,
    effective_on: dt.date,
    valid_until: dt.date | None,
    actor: Any,
) -> PolicyDocument:
    """发文: the 文号 is validated (GB/T 9704) and unique; the items "issue X" are done."""
    try:
        parsed = parse_doc_number(number, current_year=timezone.localdate().year)
    except DocNumberError as exc:
        raise DomainError(str(exc), field="number") from exc
    if parsed.year != issued_on.year:
        raise DomainError(_("The number's year is the year of issue."), field="number")
    if effective_on < issued_on:
        raise DomainError(_("A document takes effect on or after its issue."), field="effective_on")
    if valid_until is not None and valid_until <= effective_on:
        raise DomainError(_("The validity ends after the effective date."), field="valid_until")
    try:
        with transaction.atomic():
            document = _locked(document_id, actor)
            _transition(
                document,
                "issue",
                actor,
                guards={"number": lambda: None},
                values={
                    "number": str(parsed),
                    "issued_on": issued_on,
                    "effective_on": effective_on,
                    "valid_until": valid_until,
                },
                summary=str(parsed),
            )
            items_close_for_document(document, actor=actor)
    except IntegrityError as exc:
        raise DomainError(_("This document number is already used."), field="number") from exc
    return document


def document_repeal(*, document_id: int, reason: str, actor: Any) -> PolicyDocument:
    reason = clean_text(reason, multiline=True).strip()
    with transaction.atomic():
        document = _locked(document_id, actor)

        def need_reason() -> None:
            if not reason:
                raise DomainError(_("Give the reason."), field="reason")

        _transition(document, "repeal", actor, guards={"reason": need_reason}, summary=reason)
    return document


def documents_expire(*, today: dt.date | None = None) -> dict[str, int]:
    """Daily: remind of documents nearing the end of their validity (once), expire the ended."""
    today = today or timezone.localdate()
    days = supervision_settings().expiry_reminder_days
    reminded = expired = 0
    for document in PolicyDocument.objects.filter(
        status=DocumentStatus.ISSUED,
        valid_until__isnull=False,
        valid_until__lte=today + dt.timedelta(days=days),
        expiry_reminded_on__isnull=True,
    ):
        with transaction.atomic():
            if (
                PolicyDocument.objects.filter(
                    pk=document.pk, expiry_reminded_on__isnull=True
                ).update(expiry_reminded_on=today)
                != 1
            ):
                continue
            notify(
                recipients=[*section_users(), *liaisons_of(document.drafting_unit_id)],
                code="decision.document.expiring",
                title=gettext_lazy(
                    "A policy document expires soon: evaluate and renew or let it lapse"
                ),
                body=f"{document} → {document.valid_until}",
                url=_url(document),
                target=document,
                dedupe_key=f"document-expiry:{document.pk}:{document.valid_until}",
            )
            audit_record(code="decision.document.expiry_reminded", target=document)
            reminded += 1
    for document in PolicyDocument.objects.filter(
        status=DocumentStatus.ISSUED, valid_until__lt=today
    ):
        with transaction.atomic():
            _transition(document, "expire", None, system=True)
            expired += 1
    return {"reminded": reminded, "expired": expired}


def expire_job() -> dict[str, int]:
    return documents_expire()
