"""Reads behind the GeoReport catalogue resources (discovery, services, definitions) and the
place of a request sent without lat/long. Requests themselves: cityops/open311/listing.py."""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Max, QuerySet, prefetch_related_objects
from django.utils.translation import gettext_lazy

from cityops.cases.models import Category
from cityops.cases.models.catalogue import QuestionKind
from cityops.core.ormfast import first_where
from cityops.open311.listing import service_code_of
from cityops.registry.models import Component, Compound, RoadSegment

DATATYPES = {
    QuestionKind.STRING: "string",
    QuestionKind.NUMBER: "number",
    QuestionKind.DATETIME: "datetime",
    QuestionKind.TEXT: "text",
    QuestionKind.SINGLE_CHOICE: "singlevaluelist",
    QuestionKind.MULTIPLE_CHOICE: "multivaluelist",
}
# In the client's language, like every other text of the service definition.
DATATYPE_DESCRIPTIONS = {
    "string": gettext_lazy("Text without line breaks."),
    "number": gettext_lazy("A number."),
    "datetime": gettext_lazy("A date and time, ISO 8601 with time zone."),
    "text": gettext_lazy("Text, line breaks allowed."),
    "singlevaluelist": gettext_lazy("One of the listed keys."),
    "multivaluelist": gettext_lazy("One or more of the listed keys (attribute[code][])."),
}


def service_code(category: Category) -> str:
    return service_code_of(category.kind, category.code)


def category_for_code(code: str) -> Category | None:
    kind, _sep, number = code.partition("-")
    if not number:
        return None
    # Every POST looks its category up: SQL built once (cityops/core/ormfast.py).
    return first_where(
        Category, "kind = %s AND code = %s AND active = %s AND parent_id IS NOT NULL",
        [kind, number, True],
    )  # fmt: skip


# code → (time.monotonic() when read, category with its questions): the POST's checks only.
_POSTED: dict[str, tuple[float, Category]] = {}


def category_for_post(code: str) -> Category | None:
    """``category_for_code`` with its questions loaded, as the POST checks it.

    Remembered for ``OPEN311_POST_CHECK_MAX_AGE`` seconds (an edit in this process forgets it
    at once, see apps.py): the intake drain checks every request again against the current
    catalogue, so a category withdrawn meanwhile is refused there, not filed.
    """
    max_age = float(settings.OPEN311_POST_CHECK_MAX_AGE)
    now = time.monotonic()
    hit = _POSTED.get(code)
    if hit is not None and now - hit[0] < max_age:
        return hit[1]
    category = category_for_code(code)
    if category is None:
        _POSTED.pop(code, None)
        return None
    prefetch_related_objects([category], "questions")
    if max_age > 0:
        _POSTED[code] = (now, category)
    return category


def forget_posted_categories(**_kwargs: Any) -> None:
    _POSTED.clear()


def _services_qs() -> QuerySet[Category]:
    return (
        Category.objects.filter(active=True, parent__isnull=False, parent__active=True)
        .select_related("parent")
        .prefetch_related("questions")
        .order_by("kind", "code")
    )


def services_list() -> list[dict[str, Any]]:
    rows = []
    for cat in _services_qs():
        rows.append(
            {
                "service_code": service_code(cat),
                "service_name": cat.name,
                "description": cat.filing_condition or cat.name,
                "metadata": bool(cat.questions.all()),
                "type": "batch",  # the POST answers a token (and the id it reserved)
                "keywords": ",".join(k for k in (cat.get_kind_display(), cat.parent.name) if k)
                if cat.parent
                else str(cat.get_kind_display()),
                "group": cat.parent.name if cat.parent else "",
            }
        )
    return rows


def service_definition(category: Category) -> dict[str, Any]:
    attributes = []
    for order, question in enumerate(category.questions.all().order_by("order", "code"), 1):
        datatype = DATATYPES.get(QuestionKind(question.kind), "string")
        attribute: dict[str, Any] = {
            "variable": True,
            "code": question.code,
            "datatype": datatype,
            "required": question.required,
            "datatype_description": question.help_text or str(DATATYPE_DESCRIPTIONS[datatype]),
            "order": order,
            "description": question.label,
        }
        if datatype in ("singlevaluelist", "multivaluelist"):
            attribute["values"] = [
                {"key": str(c.get("code", "")), "name": str(c.get("label", ""))}
                for c in question.choices
                if isinstance(c, dict)
            ]
        attributes.append(attribute)
    return {"service_code": service_code(category), "attributes": attributes}


def catalogue_changeset() -> dt.datetime:
    """Sortable "last change" of what services/definitions show (discovery ``changeset``)."""
    latest = Category.objects.aggregate(at=Max("updated_at"))["at"]
    return latest or dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


# Request reads (the GeoReport ``requests`` resources) live in cityops/open311/listing.py.


@dataclass(frozen=True)
class Place:
    lon: float
    lat: float
    component: Component | None = None


def _inside(shape: Any) -> tuple[float, float]:
    point = shape.representative_point()
    return float(point.x), float(point.y)


def place_for_address(*, address_string: str = "", address_id: str = "") -> Place | None:
    """A point for a request sent without lat/long: an asset code (address_id) or a compound
    or road named in the address string. None when nothing in the registry matches."""
    if address_id:
        component = Component.objects.filter(code=address_id).first()
        if component is not None:
            x, y = _inside(component.shape())
            return Place(x, y, component)
        compound = Compound.objects.filter(code=address_id).first()
        if compound is not None:
            return Place(*_inside(compound.shape()))
    if address_string:
        text = address_string.strip()
        for compound in Compound.objects.exclude(name="").only("name", "geometry"):
            if compound.name in text:
                return Place(*_inside(compound.shape()))
        for road in RoadSegment.objects.exclude(name="").only("name", "geometry"):
            if road.name in text:
                return Place(*_inside(road.shape()))
    return None
