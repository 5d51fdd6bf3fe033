"""Routing: who must fix a case, and why (point + category → service type → lot → operator).

Order of the rules:

1. Property categories (elevator, water supply …): the company managing the compound at the
   point; an unmanaged compound falls to the territory (community, then street office).
2. A lot of an active contract of the category's service type covering the point
   (``registry.selectors.responsible_lots_at``) → its operator.
3. Otherwise the responsible department by the territorial rule of 常熟 / CJ/T 214
   (cn-standards §1.3): 部件 "先属主、后属地" — the component's maintainer or owner, then the
   street office; 事件 "先属地、后属主" — the street office, then the owner of the place
   (compound manager, green-space or road maintainer, the grid's responsible body).
4. Nobody found: the dispatcher chooses at dispatch (the explanation says so).

Every decision carries a sentence for the case page ("lot X of contract Y covers grid Z").
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from cityops.cases.models import Category, CategoryKind
from cityops.registry import models as reg
from cityops.registry.selectors import _check_service_type, _matches_at
from cityops.registry.spatial import PointContext, pinned_index, registry_index, today_local

_T = TypeVar("_T")


@dataclass(frozen=True)
class Routing:
    service_type: str
    org_id: int | None
    lot_id: int | None
    contract_id: int | None
    matched_by: str
    explanation: str


# Registry look-ups of the routing rules, remembered per registry version: every model they
# read (organisations, compounds, green spaces, roads, grids) bumps ``RegistryVersion`` when it
# changes (``registry.signals``), so an answer is reused only while it is still the answer.
_MEMO: dict[Any, Any] = {}
_MEMO_STAMP: list[tuple[int, int]] = [(-1, -1)]


def _memo(key: tuple[Any, ...], compute: Callable[[], _T]) -> _T:
    idx = registry_index()  # pinned by ``route``: no query
    stamp = (idx.version, idx.generation)
    if _MEMO_STAMP[0] != stamp or len(_MEMO) > 20_000:
        _MEMO.clear()
        _MEMO_STAMP[0] = stamp
    key = (*key, translation.get_language())
    if key not in _MEMO:
        _MEMO[key] = compute()
    value: _T = _MEMO[key]
    return value


def _street_office(ctx: PointContext) -> reg.Organisation | None:
    street_id = ctx.street_id
    if street_id is None:
        return None
    return _memo(
        ("street_office", street_id),
        lambda: (
            reg.Organisation.objects.filter(
                kind=reg.OrganisationKind.STREET_OFFICE, street_id=street_id, active=True
            )
            .order_by("pk")
            .first()
        ),
    )


def _community_committee(ctx: PointContext) -> reg.Organisation | None:
    community_id = ctx.community_id
    if community_id is None:
        return None
    return _memo(
        ("community", community_id),
        lambda: (
            reg.Organisation.objects.filter(
                kind=reg.OrganisationKind.COMMUNITY, community_id=community_id, active=True
            )
            .order_by("pk")
            .first()
        ),
    )


def _compound(compound_id: int) -> reg.Compound:
    return _memo(
        ("compound", compound_id),
        lambda: reg.Compound.objects.select_related("property_company").get(pk=compound_id),
    )


def _place_owner(ctx: PointContext) -> tuple[reg.Organisation | None, str]:
    """The body owning or maintaining the place at the point, most specific first."""
    key = ("owner", ctx.compound_id, ctx.green_space_id, ctx.road_segment_id, ctx.grid_id)
    return _memo(key, lambda: _read_place_owner(ctx))


def _read_place_owner(ctx: PointContext) -> tuple[reg.Organisation | None, str]:
    if ctx.compound_id is not None:
        compound = _compound(ctx.compound_id)
        if compound.property_company is not None:
            return compound.property_company, _("manages compound %(c)s") % {"c": compound.name}
    if ctx.green_space_id is not None:
        green = reg.GreenSpace.objects.select_related("maintainer").get(pk=ctx.green_space_id)
        if green.maintainer is not None:
            return green.maintainer, _("maintains green space %(g)s") % {"g": green.name}
    if ctx.road_segment_id is not None:
        road = reg.RoadSegment.objects.select_related("maintainer").get(pk=ctx.road_segment_id)
        if road.maintainer is not None:
            return road.maintainer, _("maintains road %(r)s") % {"r": road.name}
    if ctx.grid_id is not None:
        grid = reg.Grid.objects.select_related("responsible_org").get(pk=ctx.grid_id)
        if grid.responsible_org is not None:
            return grid.responsible_org, _("is the responsible body of grid %(g)s") % {
                "g": grid.code
            }
    return None, ""


def _org(org: reg.Organisation, matched_by: str, service_type: str, why: str) -> Routing:
    return Routing(
        service_type=service_type,
        org_id=org.pk,
        lot_id=None,
        contract_id=None,
        matched_by=matched_by,
        explanation=_("%(org)s %(why)s.") % {"org": org.name, "why": why},
    )


def _by_territory(ctx: PointContext, service_type: str) -> Routing | None:
    office = _street_office(ctx)
    if office is not None:
        return _org(office, "territory", service_type, _("is the street office of the place"))
    return None


def _by_owner(ctx: PointContext, service_type: str) -> Routing | None:
    owner, why = _place_owner(ctx)
    return _org(owner, "owner", service_type, why) if owner is not None else None


def _by_component(component: reg.Component | None, service_type: str) -> Routing | None:
    if component is None:
        return None
    if component.maintainer is not None:
        why = _("maintains component %(c)s") % {"c": component.code}
        return _org(component.maintainer, "component_maintainer", service_type, why)
    if component.owner is not None:
        why = _("owns component %(c)s") % {"c": component.code}
        return _org(component.owner, "component_owner", service_type, why)
    return None


def _by_lot(
    lon: float, lat: float, service_type: str, ctx: PointContext, on: dt.date | None
) -> Routing | None:
    # ``responsible_lots_at`` on the context already located (same index, same 30 m road
    # tolerance): locating the point a second time cost as much as the rest of the routing.
    _check_service_type(service_type)
    matches = _matches_at(registry_index(), ctx, on or today_local(), service_type)
    if not matches:
        return None
    lot = matches[0]
    where = ctx.grid_code or f"{lon:.6f}, {lat:.6f}"
    explanation = _(
        "Lot %(lot)s of contract %(contract)s covers grid %(grid)s: operator %(operator)s."
    ) % {
        "lot": f"{lot.lot_code} {lot.lot_name}",
        "contract": lot.contract_number,
        "grid": where,
        "operator": lot.operator_name,
    }
    if lot.explanation:
        explanation = f"{explanation} ({lot.explanation})"
    return Routing(
        service_type=service_type,
        org_id=lot.operator_id,
        lot_id=lot.lot_id,
        contract_id=lot.contract_id,
        matched_by=f"lot:{lot.matched_by}",
        explanation=explanation,
    )


def _by_property(ctx: PointContext, service_type: str) -> Routing | None:
    if ctx.compound_id is None:
        return None
    compound = _compound(ctx.compound_id)
    if compound.property_company is not None:
        why = _("manages compound %(c)s") % {"c": compound.name}
        return _org(compound.property_company, "compound_manager", service_type, why)
    committee = _community_committee(ctx)
    if committee is not None:
        why = _("looks after the unmanaged compound %(c)s") % {"c": compound.name}
        return _org(committee, "community_trusteeship", service_type, why)
    return None


def route(
    *,
    category: Category,
    lon: float,
    lat: float,
    component: reg.Component | None = None,
    context: PointContext | None = None,
    on: dt.date | None = None,
) -> Routing:
    """Decide the responsible unit. The explanation is written in the platform's language."""
    with pinned_index() as idx:  # one registry-version read for the whole decision
        return _route(category, lon, lat, component, context or idx.locate(lon, lat), on)


def _route(
    category: Category,
    lon: float,
    lat: float,
    component: reg.Component | None,
    ctx: PointContext,
    on: dt.date | None,
) -> Routing:
    service_type = category.service_type
    with translation.override(settings.LANGUAGE_CODE):
        steps: list[Callable[[], Routing | None]] = []
        if service_type == reg.ServiceType.PROPERTY:
            steps.append(lambda: _by_property(ctx, service_type))
        steps.append(lambda: _by_lot(lon, lat, service_type, ctx, on))
        if category.kind == CategoryKind.COMPONENT:
            steps += [
                lambda: _by_component(component, service_type),
                lambda: _by_owner(ctx, service_type),
                lambda: _by_territory(ctx, service_type),
            ]
        else:
            steps += [
                lambda: _by_territory(ctx, service_type),
                lambda: _by_owner(ctx, service_type),
            ]
        for step in steps:
            found = step()
            if found is not None:
                return found
        return Routing(
            service_type=service_type,
            org_id=None,
            lot_id=None,
            contract_id=None,
            matched_by="none",
            explanation=_("No lot or responsible body covers this place: the dispatcher decides."),
        )
