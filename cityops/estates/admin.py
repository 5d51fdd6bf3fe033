"""Back office for property management. State changes (votes, fund, credit) go through the
services, so their admin pages are read-only views of what the services wrote."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from cityops.core.admin_base import ReadOnlyAdmin
from cityops.core.admin_personal import PersonalDataAdmin
from cityops.core.crypto import mask_name, mask_phone
from cityops.core.errors import DomainError
from cityops.estates import models as m
from cityops.estates.services.register import owner_leave
from cityops.estates.services.votes import proposal_transition


class UnitInline(admin.TabularInline):  # type: ignore[type-arg]
    model = m.Unit
    extra = 0
    fields = ("building", "entrance", "room", "area", "developer_held")


@admin.register(m.Owner)
class OwnerAdmin(PersonalDataAdmin):
    # Masked for every role; the clear values only through the audited reveal (with a purpose).
    # Changing them goes through the register import (which keeps the ID's blind index).
    personal_fields = {
        "name": "name",
        "co_owners": "name",
        "phone": "phone",
        "id_number": "id_number",
    }
    list_display = ("key", "masked_name", "masked_phone", "compound", "is_developer", "user")
    list_filter = ("is_developer", "compound")
    search_fields = ("key",)
    raw_id_fields = ("user",)
    inlines = [UnitInline]
    actions = ["leave_selected"]

    @admin.action(description=_("Remove from the register (holds no unit; personal data erased)"))
    def leave_selected(self, request: HttpRequest, queryset: QuerySet[m.Owner]) -> None:
        for owner in queryset:
            try:
                owner_leave(owner=owner, actor=request.user)
            except DomainError as exc:
                self.message_user(request, f"{owner.key}: {exc.message}", messages.ERROR)
            else:
                done = _("left the register")
                self.message_user(request, f"{owner.key}: {done}")

    @admin.display(description=_("name"))
    def masked_name(self, obj: m.Owner) -> str:
        return mask_name(obj.name)

    @admin.display(description=_("phone"))
    def masked_phone(self, obj: m.Owner) -> str:
        return mask_phone(obj.phone)


@admin.register(m.Unit)
class UnitAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("label", "compound", "area", "owner", "developer_held")
    list_filter = ("developer_held", "compound")
    search_fields = ("building", "room", "owner__key")
    raw_id_fields = ("owner",)


@admin.register(m.CompoundManagement)
class CompoundManagementAdmin(ReadOnlyAdmin):
    list_display = ("compound", "model", "company", "contract_number", "started_on", "ended_on")
    list_filter = ("model",)


@admin.register(m.Proposal)
class ProposalAdmin(ReadOnlyAdmin):
    list_display = ("title", "compound", "matter", "status", "opens_at", "closes_at", "passed")
    list_filter = ("status", "matter")
    search_fields = ("title",)
    actions = ["close_selected", "certify_selected"]

    def _move(self, request: HttpRequest, queryset: QuerySet[m.Proposal], to: str) -> None:
        for proposal in queryset:
            try:
                proposal_transition(proposal_id=proposal.pk, to=to, actor=request.user)
            except DomainError as exc:
                self.message_user(request, f"{proposal}: {exc.message}", messages.ERROR)
            else:
                self.message_user(request, f"{proposal}: {m.ProposalStatus(to).label}")

    @admin.action(description=_("Close and tally (voting window ended)"))
    def close_selected(self, request: HttpRequest, queryset: QuerySet[m.Proposal]) -> None:
        self._move(request, queryset, m.ProposalStatus.CLOSED)

    @admin.action(description=_("Certify the result"))
    def certify_selected(self, request: HttpRequest, queryset: QuerySet[m.Proposal]) -> None:
        self._move(request, queryset, m.ProposalStatus.CERTIFIED)


@admin.register(m.Ballot)
class BallotAdmin(ReadOnlyAdmin):
    # The choice is deliberately not shown: only the owner may see it.
    list_display = ("proposal", "owner", "channel", "revision", "updated_at")
    fields = ("proposal", "owner", "channel", "proxy_name", "authorisation", "scan", "revision")
    list_filter = ("channel",)


class MemberInline(admin.TabularInline):  # type: ignore[type-arg]
    model = m.CommitteeMember
    extra = 0
    raw_id_fields = ("owner", "user")


@admin.register(m.Committee)
class CommitteeAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("compound", "kind", "formed_on", "term_ends_on", "filing_due_on", "filed_on")
    list_filter = ("kind",)
    readonly_fields = ("election", "filing_due_on")
    inlines = [MemberInline]


@admin.register(m.FundAccount)
class FundAccountAdmin(ReadOnlyAdmin):
    list_display = ("compound", "balance")


@admin.register(m.FundEntry)
class FundEntryAdmin(ReadOnlyAdmin):
    list_display = ("account", "kind", "amount", "balance_after", "proposal", "booked_on")
    list_filter = ("kind",)


class MilestoneInline(admin.TabularInline):  # type: ignore[type-arg]
    model = m.Milestone
    extra = 0


class ReportInline(admin.TabularInline):  # type: ignore[type-arg]
    model = m.ProgressReport
    extra = 0
    readonly_fields = ("reported_by", "reported_on")


@admin.register(m.Campaign)
class CampaignAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("name", "starts_on", "ends_on")


@admin.register(m.CampaignTarget)
class CampaignTargetAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("compound", "campaign", "status", "chosen_model", "street", "deadline")
    list_filter = ("campaign", "status", "street")
    readonly_fields = ("status", "resolved_on", "resolution")
    inlines = [MilestoneInline, ReportInline]


@admin.register(m.CreditRecord)
class CreditRecordAdmin(ReadOnlyAdmin):
    list_display = ("company", "kind", "source", "points", "reason", "valid_from", "valid_until")
    list_filter = ("kind", "source", "voided")


@admin.register(m.CreditObjection)
class CreditObjectionAdmin(ReadOnlyAdmin):
    list_display = ("record", "status", "raised_by", "decided_by", "decided_at")
    list_filter = ("status",)


@admin.register(m.CreditBand)
class CreditBandAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("grade", "min_score")


@admin.register(m.BlacklistEntry)
class BlacklistEntryAdmin(ReadOnlyAdmin):
    list_display = ("company", "reason", "listed_on", "lifted_on")


@admin.register(m.CreditScoreChange)
class CreditScoreChangeAdmin(ReadOnlyAdmin):
    list_display = ("company", "day", "previous_grade", "grade", "previous_score", "score", "cause")
    list_filter = ("grade",)
