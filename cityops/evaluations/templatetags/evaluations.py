"""Template helpers of the evaluation pages (the sub-navigation by role)."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse
from django.utils.translation import gettext as _

from cityops.evaluations.access import is_supervisor, operator_orgs

register = template.Library()


@register.simple_tag(takes_context=True)
def evaluation_links(context: dict[str, Any]) -> list[tuple[str, str]]:
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return []
    if is_supervisor(user):
        return [
            (reverse("evaluations:months"), _("Monthly run")),
            (reverse("evaluations:appeals"), _("Appeals")),
            (reverse("evaluations:schemes"), _("Schemes")),
            (reverse("evaluations:penalties"), _("Penalty records")),
            (reverse("evaluations:surveys"), _("Satisfaction surveys")),
            (reverse("evaluations:policy"), _("Policy")),
        ]
    if operator_orgs(user):
        return [
            (reverse("evaluations:mine"), _("My scores")),
            (reverse("evaluations:appeals"), _("My appeals")),
        ]
    return []
