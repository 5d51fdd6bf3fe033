"""The one form field for choosing a responsible unit (dispatch, bulk dispatch, the case
filters; ``UnitMultipleChoiceField`` for several, e.g. a decision's co-units): the registry's
active organisations grouped by kind — companies, street offices, communities, departments —
as ``<optgroup>``s, and a ``data-unit-filter`` attribute that ``static/console/console.js``
turns into a "type to filter" box above the select. Without JavaScript it is a plain grouped
select. A form narrows the units by passing (or later setting) ``queryset``; the grouping
follows whatever it holds."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, cast

from django import forms
from django.forms.models import ModelChoiceIterator
from django.utils.translation import gettext_lazy as _

from cityops.registry.models import Organisation, OrganisationKind

GROUP_ORDER = (
    OrganisationKind.OPERATOR,
    OrganisationKind.STREET_OFFICE,
    OrganisationKind.COMMUNITY,
    OrganisationKind.DEPARTMENT,
    OrganisationKind.COMMAND_CENTRE,
)


def _unit_defaults(kwargs: dict[str, Any], widget: type[forms.Select]) -> None:
    kwargs.setdefault(
        "queryset",
        Organisation.objects.filter(active=True).only("id", "kind", "name", "short_name"),
    )
    kwargs.setdefault("widget", widget(attrs={"data-unit-filter": _("Type to filter the units")}))


class _UnitGroups:
    """The grouping both unit fields share (a mixin over Django's model choice fields)."""

    queryset: Any
    empty_label: Any

    def grouped(self) -> list[tuple[Any, Any]]:
        """``[(kind label, [(pk, name), …]), …]`` in GROUP_ORDER (one query)."""
        groups: dict[str, list[tuple[str, str]]] = {kind: [] for kind in GROUP_ORDER}
        queryset = self.queryset if self.queryset is not None else Organisation.objects.none()
        for org in queryset.order_by("name"):
            groups.setdefault(org.kind, []).append((str(org.pk), str(org)))
        labels = dict(OrganisationKind.choices)
        return [(labels.get(kind, kind), items) for kind, items in groups.items() if items]


class UnitChoiceField(_UnitGroups, forms.ModelChoiceField):  # type: ignore[type-arg]
    def __init__(self, **kwargs: Any) -> None:
        _unit_defaults(kwargs, forms.Select)
        super().__init__(**kwargs)


class _Grouped(ModelChoiceIterator):
    """Read when the select is drawn (like Django's own iterator), never when the form class
    is defined or copied."""

    def __iter__(self) -> Iterator[tuple[Any, Any]]:
        # The empty choice first and without a query, as Django's iterator does: a required
        # select's check of its first option (Select.use_required_attribute) reads no rows.
        field = cast("_UnitGroups", self.field)
        if field.empty_label is not None:
            yield ("", field.empty_label)
        yield from field.grouped()


UnitChoiceField.iterator = _Grouped


class UnitMultipleChoiceField(_UnitGroups, forms.ModelMultipleChoiceField):  # type: ignore[type-arg]
    """Several units, grouped and filterable like :class:`UnitChoiceField` (the same groups and
    the same filter box; chosen units stay chosen and shown while filtering)."""

    iterator = _Grouped

    def __init__(self, **kwargs: Any) -> None:
        _unit_defaults(kwargs, forms.SelectMultiple)
        super().__init__(**kwargs)
