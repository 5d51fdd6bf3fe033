"""工作专班: a task force, its members and dispatch meetings (whose action items are decision
items with the same workflow: ``items.item_create`` on a dispatch meeting)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from cityops.core.audit import audit_record
from cityops.core.errors import DomainError
from cityops.core.text import clean_text
from cityops.decisions import access
from cityops.decisions.models import MemberRole, TaskForce, TaskForceMember
from cityops.registry.models import Organisation


def task_force_create(
    *,
    name: str,
    lead_unit: Organisation,
    established_on: dt.date,
    mandate: str = "",
    actor: Any,
) -> TaskForce:
    access.require_section(actor)
    name = clean_text(name).strip()
    if not name:
        raise DomainError(_("Give the task force's name."), field="name")
    with transaction.atomic():
        if TaskForce.objects.filter(name=name).exists():
            raise DomainError(_("A task force of this name exists."), field="name")
        task_force = TaskForce.objects.create(
            name=name,
            lead_unit=lead_unit,
            established_on=established_on,
            mandate=clean_text(mandate, multiline=True),
        )
        audit_record(
            code="decision.task_force.created", target=task_force, actor=actor, summary=name
        )
    return task_force


def task_force_member_add(
    *, task_force: TaskForce, person: str, unit: Organisation, role: str, actor: Any
) -> TaskForceMember:
    access.require_section(actor)
    person = clean_text(person).strip()
    if not person:
        raise DomainError(_("Name the person."), field="person")
    if role not in MemberRole.values:
        raise DomainError(_("Unknown role."), field="role")
    with transaction.atomic():
        if role == MemberRole.LEADER and task_force.members.filter(role=MemberRole.LEADER).exists():
            raise DomainError(_("The task force already has a leader."), field="role")
        member = TaskForceMember.objects.create(
            task_force=task_force, person=person[:60], unit=unit, role=role
        )
        audit_record(
            code="decision.task_force.member_added",
            target=task_force,
            actor=actor,
            data={"person": person[:60], "role": role, "unit": unit.pk},
        )
    return member
