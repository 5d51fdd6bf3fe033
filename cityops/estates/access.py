"""Who may see and do what in property management. Out-of-scope records answer 404."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from cityops.accounts.access import actor_for
from cityops.accounts.models import Role
from cityops.core.errors import NotFound, PermissionDenied
from cityops.estates.models import CommitteeMember, Owner, Proposal, ProposalStatus
from cityops.registry.models import Compound

SUPERVISING_ROLES = (Role.SYSTEM_ADMIN, Role.BUREAU_SUPERVISOR)


def is_committee_member(user: Any, compound: Compound) -> bool:
    """A seat on the compound's active owners' committee or interim committee."""
    if not getattr(user, "is_authenticated", False):
        return False
    return CommitteeMember.objects.filter(
        user_id=user.pk,
        committee__compound_id=compound.pk,
        committee__ended_on__isnull=True,
        committee__term_ends_on__gte=timezone.localdate(),
    ).exists()


def is_territory_officer(user: Any, compound: Compound) -> bool:
    actor = actor_for(user)
    if actor.has_role(*SUPERVISING_ROLES):
        return True
    community = compound.community
    if community is None:
        return False
    if actor.has_role(Role.COMMUNITY_OFFICER) and community.pk in actor.community_ids:
        return True
    return actor.has_role(Role.STREET_OFFICER) and community.street_id in actor.street_ids


def can_manage_compound(user: Any, compound: Compound) -> bool:
    """Run the compound's votes and register: its committee, its street/community, supervisors."""
    return is_territory_officer(user, compound) or is_committee_member(user, compound)


def require_compound_manager(user: Any, compound: Compound) -> None:
    """``user=None`` is a trusted script or job (management commands); requests pass a user."""
    if user is not None and not can_manage_compound(user, compound):
        raise PermissionDenied(_("Only the compound's committee or its officers may do this."))


def require_territory_officer(user: Any, compound: Compound) -> None:
    if user is not None and not is_territory_officer(user, compound):
        raise PermissionDenied(_("Only the street or community may do this."))


def require_supervisor(user: Any) -> None:
    """Campaigns are run by the housing bureau (and administrators); ``None`` is a script."""
    if user is not None and not actor_for(user).has_role(*SUPERVISING_ROLES):
        raise PermissionDenied(_("Only the housing bureau may do this."))


def owned_compounds(user: Any) -> QuerySet[Compound]:
    if not getattr(user, "is_authenticated", False):
        return Compound.objects.none()
    return Compound.objects.filter(owners__user_id=user.pk).distinct()


def owner_for(user: Any, compound: Compound) -> Owner | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return Owner.objects.filter(user_id=user.pk, compound_id=compound.pk).first()


def access_proposal_for_owner(proposal_id: int, user: Any) -> tuple[Proposal, Owner]:
    """The proposal and the user's owner row in its compound; 404 for anyone else."""
    if not getattr(user, "is_authenticated", False):
        raise NotFound(_("No such proposal."))
    proposal = (
        Proposal.objects.select_related("compound")
        .filter(pk=proposal_id, compound__owners__user_id=user.pk)
        .exclude(status__in=[ProposalStatus.DRAFT, ProposalStatus.CANCELLED])
        .first()
    )
    if proposal is None:
        raise NotFound(_("No such proposal."))
    owner = owner_for(user, proposal.compound)
    assert owner is not None  # guaranteed by the filter above
    return proposal, owner


def visible_proposals(user: Any) -> QuerySet[Proposal]:
    """Proposals an owner sees: those of their compounds, once noticed."""
    return (
        Proposal.objects.filter(compound__in=owned_compounds(user))
        .filter(~Q(status__in=[ProposalStatus.DRAFT, ProposalStatus.CANCELLED]))
        .select_related("compound")
    )
