"""Who sees the cockpit: the mayor's office and the bureau supervisors (least privilege: the
system administrator runs the platform, not the city). Anyone else gets a 404."""

from __future__ import annotations

from typing import Any

from django.http import Http404
from django.utils.translation import gettext as _

from cityops.accounts.access import actor_for
from cityops.accounts.models import Role

VIEWER_ROLES = (Role.MAYOR_VIEWER, Role.BUREAU_SUPERVISOR)


def is_cockpit_viewer(user: Any) -> bool:
    return actor_for(user).has_role(*VIEWER_ROLES)


def access_cockpit(user: Any) -> None:
    if not is_cockpit_viewer(user):
        raise Http404(_("No such page."))
