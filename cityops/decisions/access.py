"""Who sees which decision records. Out of scope → 404 (never reveals that a record exists).

The supervision section (督查室), the mayor's office and administrators read everything; a unit
liaison reads the items their unit leads or co-handles (acting only on those it leads), the
policy documents (consultation goes to every unit) and the task forces their unit sits on.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from cityops.accounts.access import Actor, actor_for
from cityops.accounts.models import Role
from cityops.core.errors import NotFound, PermissionDenied
from cityops.decisions.models import DecisionItem, PolicyDocument, TaskForce

# Bureau leaders read them too: their bureaus lead most items, and the cockpit links here.
READ_ALL = (Role.SUPERVISION_SECTION, Role.MAYOR_VIEWER, Role.BUREAU_SUPERVISOR, Role.SYSTEM_ADMIN)
READERS = (*READ_ALL, Role.UNIT_LIAISON)


def liaison_units(actor: Actor) -> frozenset[int]:
    """The organisations this actor is the liaison of (not other roles' organisations)."""
    return frozenset(
        ms.organisation_id
        for ms in actor.memberships
        if ms.role == Role.UNIT_LIAISON and ms.organisation_id
    )


def reads_all(user: Any) -> bool:
    return actor_for(user).has_role(*READ_ALL)


def is_reader(user: Any) -> bool:
    return actor_for(user).has_role(*READERS)


def require_reader(user: Any) -> Actor:
    actor = actor_for(user)
    if not actor.has_role(*READERS):
        raise NotFound(_("No such page."))
    return actor


def require_section(user: Any) -> Actor:
    """The supervision section's own steps (assign, verify, record meetings)."""
    actor = actor_for(user)
    if not actor.has_role(Role.SUPERVISION_SECTION):
        raise PermissionDenied(_("Only the supervision section may do this."))
    return actor


def items_visible_to(user: Any) -> QuerySet[DecisionItem]:
    actor = actor_for(user)
    items = DecisionItem.objects.all()
    if actor.has_role(*READ_ALL):
        return items
    units = liaison_units(actor)
    if not units:
        return items.none()
    co = DecisionItem.co_units.through.objects.filter(organisation_id__in=units)
    return items.filter(Q(lead_unit_id__in=units) | Q(pk__in=co.values("decisionitem_id")))


def access_item(item_id: int, user: Any, *, for_write: bool = False) -> DecisionItem:
    items = items_visible_to(user).select_related("meeting", "lead_unit", "document")
    if for_write:
        items = items.select_for_update(of=("self",))
    item = items.filter(pk=item_id).first()
    if item is None:
        raise NotFound(_("No such decision item."))
    return item


def require_lead_liaison(item: DecisionItem, user: Any) -> None:
    if item.lead_unit_id not in liaison_units(actor_for(user)):
        raise PermissionDenied(_("Only the lead unit's liaison may do this."))


def documents_visible_to(user: Any) -> QuerySet[PolicyDocument]:
    if not is_reader(user):
        return PolicyDocument.objects.none()
    return PolicyDocument.objects.all()


def access_document(document_id: int, user: Any, *, for_write: bool = False) -> PolicyDocument:
    documents = documents_visible_to(user).select_related("drafting_unit", "approved_by")
    if for_write:
        documents = documents.select_for_update(of=("self",))
    document = documents.filter(pk=document_id).first()
    if document is None:
        raise NotFound(_("No such document."))
    return document


def require_drafter(document: PolicyDocument, user: Any) -> None:
    actor = actor_for(user)
    if actor.has_role(Role.SUPERVISION_SECTION):
        return
    if document.drafting_unit_id not in liaison_units(actor):
        raise PermissionDenied(_("Only the drafting unit or the supervision section may do this."))


def task_forces_visible_to(user: Any) -> QuerySet[TaskForce]:
    actor = actor_for(user)
    if actor.has_role(*READ_ALL):
        return TaskForce.objects.all()
    units = liaison_units(actor)
    if not units:
        return TaskForce.objects.none()
    return TaskForce.objects.filter(
        Q(lead_unit_id__in=units) | Q(members__unit_id__in=units)
    ).distinct()


def access_task_force(task_force_id: int, user: Any) -> TaskForce:
    task_force = task_forces_visible_to(user).filter(pk=task_force_id).first()
    if task_force is None:
        raise NotFound(_("No such task force."))
    return task_force
