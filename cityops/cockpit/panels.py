"""The cockpit's panels: what each section computes (in the refresh job) and how it shows.

Every section of ``/cockpit/`` — cases, operators, property, and the ones other apps add
(decisions and 督办 supervision, reform progress) — is a :class:`Panel` registered with
:func:`panel_register`, from the owning app's ``AppConfig.ready``::

    from cityops.cockpit.panels import Panel, panel_register

    panel_register(Panel(
        name="decisions", title=_("Decisions"), order=40,
        compute="cityops.decisions.cockpit.compute",     # (*, now) -> JSON-able dict
        template="decisions/cockpit_panel.html",         # context: data, panel, wall, snapshot
    ))

``compute`` runs in the refresh job only (``refresh.cockpit_refresh``) and returns plain JSON
(numbers, ids, names, query parameters — no translated text: the template translates at
render time, in the reader's language). The template renders that data; ``wall`` is true on
the big screen (compact, no scrolling). Every viewer sees the same cockpit, so the panels'
HTML is rendered once per snapshot, language and mode and cached (the template gets no
``request`` or ``user``). Every number should link to the list behind it and
say how it is computed (a ``title`` and a footnote, see ``cockpit/panels/cases.html``).

A section whose panel is not registered is simply absent from the page (there are no
placeholders); a panel whose compute failed in the last refresh shows "not available".
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Panel:
    name: str  # key in the snapshot; also the section's CSS class (``panel--<name>``)
    title: Promise | str
    compute: str  # dotted path of ``(*, now: datetime) -> dict[str, Any]``
    template: str
    order: int = 50

    def computer(self) -> Callable[..., dict[str, Any]]:
        fn: Callable[..., dict[str, Any]] = import_string(self.compute)
        return fn


_PANELS: dict[str, Panel] = {}


def panel_register(panel: Panel) -> None:
    """Add a panel (registering a name again replaces it)."""
    _PANELS[panel.name] = panel


def panel_unregister(name: str) -> None:
    _PANELS.pop(name, None)


def registered_panels() -> tuple[Panel, ...]:
    return tuple(sorted(_PANELS.values(), key=lambda p: (p.order, p.name)))


def register_builtin_panels() -> None:
    panel_register(
        Panel(
            "cases",
            _("Cases"),
            "cityops.cockpit.indicators.cases_compute",
            "cockpit/panels/cases.html",
            order=10,
        )
    )
    panel_register(
        Panel(
            "operators",
            _("Operators"),
            "cityops.cockpit.sources.operators_compute",
            "cockpit/panels/operators.html",
            order=20,
        )
    )
    panel_register(
        Panel(
            "property",
            _("Property management"),
            "cityops.cockpit.sources.property_compute",
            "cockpit/panels/property.html",
            order=30,
        )
    )
