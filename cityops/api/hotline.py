"""12345 hotline intake: the hotline system's work order becomes a case via ``case_report``.

Idempotent on the hotline's own number (a resend returns the same case). The free category
text is mapped by ``HotlineCategoryRule`` keywords, then by category names, then by the
fallback rule (keyword ``*``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from cityops.api.models import HotlineCategoryRule
from cityops.cases.models import Case, Category, Source
from cityops.cases.services import case_report
from cityops.core.errors import DomainError
from cityops.open311.selectors import place_for_address

HOTLINE_CLIENT = "hotline-12345"
FALLBACK = "*"


@dataclass(frozen=True)
class HotlineOrder:
    number: str
    content: str
    caller_name: str = ""
    caller_phone: str = ""
    address: str = ""
    lon: float | None = None
    lat: float | None = None
    coord_sys: str = "wgs84"
    category_text: str = ""
    urgency: str = "normal"
    # The console's hotline form (call-centre staff) chooses the category itself and asks
    # its questions; the hotline system sends only the free category text.
    category: Category | None = None
    answers: Mapping[str, Any] = field(default_factory=dict)


def hotline_category(text: str) -> Category:
    text = text.strip()
    rules = list(
        HotlineCategoryRule.objects.select_related("category").filter(
            category__active=True, category__parent__isnull=False
        )
    )
    for rule in rules:
        if rule.keyword != FALLBACK and text and rule.keyword in text:
            return rule.category
    if text:
        for category in Category.objects.filter(active=True, parent__isnull=False):
            if category.name in text or text in category.name:
                return category
    for rule in rules:
        if rule.keyword == FALLBACK:
            return rule.category
    raise DomainError(
        _("No category matches the hotline's category text and no fallback is configured."),
        field="category_text",
    )


def hotline_order_intake(*, order: HotlineOrder, actor: Any) -> tuple[Case, bool]:
    """The case for this work order, and whether this call created it."""
    number = order.number.strip()
    if not number:
        raise DomainError(_("The work-order number is required."), field="number")
    existing = Case.objects.filter(client=HOTLINE_CLIENT, idempotency_key=number[:100]).first()
    if existing is not None:
        return existing, False
    lon, lat, coord_sys, component = order.lon, order.lat, order.coord_sys, None
    if lon is None or lat is None:
        place = place_for_address(address_string=order.address)
        if place is None:
            raise DomainError(
                _("The address could not be located: send lon and lat."), field="address"
            )
        lon, lat, coord_sys, component = place.lon, place.lat, "wgs84", place.component
    case = case_report(
        source=Source.HOTLINE,
        category=order.category or hotline_category(order.category_text or order.content),
        lon=lon,
        lat=lat,
        coord_sys=coord_sys,
        address=order.address,
        description=order.content,
        answers=order.answers,
        reporter_name=order.caller_name,
        reporter_phone=order.caller_phone,
        urgency=order.urgency,
        idempotency_key=number,
        client=HOTLINE_CLIENT,
        actor=actor,
        component=component,
    )
    return case, True
