"""Improvement campaigns: target list, plans, progress, resolution."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cityops.core.audit import audit_record
from cityops.core.errors import Conflict, DomainError
from cityops.core.fsm import fsm_transition
from cityops.estates import access
from cityops.estates.models import (
    Campaign,
    CampaignTarget,
    Milestone,
    ProgressReport,
    TargetStatus,
)
from cityops.estates.services.management import compound_management_change
from cityops.estates.transitions import CAMPAIGN_TARGET
from cityops.registry.models import Community, Compound, ManagementModel, Organisation, Street


def campaign_create(
    *,
    name: str,
    starts_on: dt.date,
    ends_on: dt.date,
    description: str = "",
    compounds: Iterable[Compound] | None = None,
    actor: Any = None,
) -> Campaign:
    """A campaign and its target list (default: every compound without management)."""
    access.require_supervisor(actor)
    if ends_on < starts_on:
        raise DomainError(_("The campaign ends before it starts."), field="ends_on")
    if not name.strip():
        raise DomainError(_("A campaign needs a name."), field="name")
    if Campaign.objects.filter(name=name.strip()).exists():
        raise Conflict(_("A campaign with this name exists."), field="name")
    targets = list(
        compounds
        if compounds is not None
        else Compound.objects.filter(management_model=ManagementModel.NONE).select_related(
            "community"
        )
    )
    with transaction.atomic():
        campaign = Campaign.objects.create(
            name=name.strip(), starts_on=starts_on, ends_on=ends_on, description=description
        )
        CampaignTarget.objects.bulk_create(
            CampaignTarget(
                campaign=campaign,
                compound=c,
                community=c.community,
                street=c.community.street if c.community else None,
                deadline=ends_on,
            )
            for c in targets
        )
        audit_record(
            code="estates.campaign.created",
            target=campaign,
            actor=actor,
            summary=campaign.name,
            data={"targets": len(targets)},
        )
    return campaign


def campaign_target_add(
    *, campaign: Campaign, compound: Compound, actor: Any = None
) -> CampaignTarget:
    """Put one more compound on a running campaign's list (found after the list was drawn)."""
    access.require_supervisor(actor)
    if compound.management_model != ManagementModel.NONE:
        raise DomainError(_("The compound already has management."), field="compound")
    with transaction.atomic():
        Campaign.objects.select_for_update().get(pk=campaign.pk)
        if CampaignTarget.objects.filter(campaign=campaign, compound=compound).exists():
            raise Conflict(_("The compound is already on the list."), field="compound")
        community = compound.community
        target = CampaignTarget.objects.create(
            campaign=campaign,
            compound=compound,
            community=community,
            street=community.street if community else None,
            deadline=campaign.ends_on,
        )
        audit_record(
            code="estates.campaign.target_added",
            target=target,
            actor=actor,
            summary=str(compound),
            data={"campaign": campaign.pk},
        )
    return target


def target_plan(
    *,
    target: CampaignTarget,
    chosen_model: ManagementModel | str,
    street: Street,
    community: Community | None,
    deadline: dt.date,
    milestones: Sequence[tuple[str, dt.date]] = (),
    actor: Any = None,
) -> CampaignTarget:
    """Agree the resolution plan: which model, who answers for it, by when, through which steps."""
    access.require_territory_officer(actor, target.compound)
    chosen_model = ManagementModel(chosen_model)
    if chosen_model == ManagementModel.NONE:
        raise DomainError(_("The plan must choose a management model."), field="chosen_model")
    if community is not None and community.street_id != street.pk:
        raise DomainError(_("The community is not in that street."), field="community")
    for title, due in milestones:
        if not title.strip() or due > deadline:
            raise DomainError(
                _("Each milestone needs a title and a date before the deadline."),
                field="milestones",
            )
    with transaction.atomic():
        locked = CampaignTarget.objects.select_for_update().get(pk=target.pk)
        if locked.status == TargetStatus.RESOLVED:
            raise Conflict(_("This compound is already resolved."))
        fsm_transition(
            machine=CAMPAIGN_TARGET,
            instance=locked,
            action="plan",
            actor=actor,
            values={
                "chosen_model": chosen_model,
                "street": street,
                "community": community,
                "deadline": deadline,
                "updated_at": timezone.now(),
            },
            audit_code="estates.campaign.planned",
            data={
                "model": chosen_model.value,
                "deadline": deadline.isoformat(),
                "milestones": len(milestones),
            },
        )
        locked.milestones.filter(done_on__isnull=True).delete()
        Milestone.objects.bulk_create(
            Milestone(target=locked, title=t.strip(), due_on=d) for t, d in milestones
        )
    return locked


def milestone_done(*, milestone: Milestone, done_on: dt.date, actor: Any = None) -> Milestone:
    access.require_territory_officer(actor, milestone.target.compound)
    with transaction.atomic():
        locked = Milestone.objects.select_for_update().get(pk=milestone.pk)
        if locked.done_on is not None:
            raise Conflict(_("This milestone is already done."))
        locked.done_on = done_on
        locked.save(update_fields=["done_on", "updated_at"])
        audit_record(
            code="estates.campaign.milestone_done",
            target=locked,
            actor=actor,
            data={"target": locked.target_id, "done_on": done_on.isoformat()},
        )
    return locked


def progress_report_add(
    *,
    target: CampaignTarget,
    text: str,
    evidence: UploadedFile | None = None,
    actor: Any = None,
) -> ProgressReport:
    access.require_territory_officer(actor, target.compound)
    if not text.strip():
        raise DomainError(_("Describe the progress."), field="text")
    with transaction.atomic():
        report = ProgressReport(
            target=target,
            text=text.strip(),
            reported_by=actor if getattr(actor, "is_authenticated", False) else None,
            reported_on=timezone.localdate(),
        )
        if evidence is not None:
            report.evidence = evidence  # type: ignore[assignment]
        report.save()
        audit_record(
            code="estates.campaign.reported",
            target=report,
            actor=actor,
            data={"target": target.pk, "evidence": bool(evidence)},
        )
    return report


def target_resolve(
    *,
    target: CampaignTarget,
    company: Organisation | None = None,
    contract_number: str = "",
    contract_start: dt.date | None = None,
    contract_end: dt.date | None = None,
    actor: Any = None,
) -> CampaignTarget:
    """The compound now has management: change it through the management service, close the
    target. Uses the plan's chosen model so the plan and the result cannot disagree."""
    access.require_territory_officer(actor, target.compound)
    with transaction.atomic():
        locked = (
            CampaignTarget.objects.select_for_update()
            .select_related("compound", "campaign")
            .get(pk=target.pk)
        )
        if locked.status == TargetStatus.RESOLVED:
            raise Conflict(_("This compound is already resolved."))
        if locked.status != TargetStatus.PLANNED or not locked.chosen_model:
            raise DomainError(_("Agree a resolution plan first."))
        period = compound_management_change(
            compound=locked.compound,
            model=locked.chosen_model,
            company=company,
            contract_number=contract_number,
            contract_start=contract_start,
            contract_end=contract_end,
            reason=_("Resolved in campaign %(name)s") % {"name": locked.campaign.name},
            actor=actor,
        )
        fsm_transition(
            machine=CAMPAIGN_TARGET,
            instance=locked,
            action="resolve",
            actor=actor,
            guards={"plan_agreed": lambda: None},  # checked above, before the management change
            values={
                "resolved_on": period.started_on,
                "resolution": period,
                "updated_at": timezone.now(),
            },
            audit_code="estates.campaign.resolved",
            data={"period": period.pk, "model": period.model},
        )
    return locked
