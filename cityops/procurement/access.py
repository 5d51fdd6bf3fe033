"""Who sees and who writes procurement records (least privilege).

The procurement officer (the bureau's 采购专员) writes; the mayor's office, the bureau
supervisor and the system administrator read (the task force's view); everyone else gets a 404.
"""

from __future__ import annotations

from typing import Any

from cityops.accounts.access import actor_for
from cityops.accounts.models import Role
from cityops.core.errors import NotFound
from cityops.procurement.models import Challenge, Complaint, Project

WRITE_ROLES = (Role.PROCUREMENT_OFFICER,)
READ_ROLES = (
    Role.PROCUREMENT_OFFICER,
    Role.MAYOR_VIEWER,
    Role.BUREAU_SUPERVISOR,
    Role.SYSTEM_ADMIN,
)


def can_read(user: Any) -> bool:
    return actor_for(user).has_role(*READ_ROLES)


def can_write(user: Any) -> bool:
    return actor_for(user).has_role(*WRITE_ROLES)


def require_read(user: Any) -> None:
    if not can_read(user):
        raise NotFound("")


def access_project(project_id: int, user: Any, *, for_write: bool = False) -> Project:
    """The project, locked when ``for_write`` (call inside a transaction); 404 otherwise."""
    allowed = can_write(user) if for_write else can_read(user)
    if not allowed:
        raise NotFound("")
    query = Project.objects.all()
    if for_write:
        query = query.select_for_update()
    project = query.filter(pk=project_id).first()
    if project is None:
        raise NotFound("")
    return project


def access_challenge(challenge_id: int, user: Any, *, for_write: bool = False) -> Challenge:
    allowed = can_write(user) if for_write else can_read(user)
    if not allowed:
        raise NotFound("")
    query = Challenge.objects.select_related("project")
    if for_write:
        query = query.select_for_update(of=("self",))
    challenge = query.filter(pk=challenge_id).first()
    if challenge is None:
        raise NotFound("")
    return challenge


def access_complaint(complaint_id: int, user: Any, *, for_write: bool = False) -> Complaint:
    allowed = can_write(user) if for_write else can_read(user)
    if not allowed:
        raise NotFound("")
    query = Complaint.objects.select_related("challenge__project")
    if for_write:
        query = query.select_for_update(of=("self",))
    complaint = query.filter(pk=complaint_id).first()
    if complaint is None:
        raise NotFound("")
    return complaint
