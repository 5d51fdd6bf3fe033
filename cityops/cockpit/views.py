"""The cockpit pages: the page (desk and phone), the big screen and its polled body, and the
votes behind the property figure. Thin: access → the newest snapshot → present → render."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from cityops.cockpit import selectors
from cityops.cockpit.access import access_cockpit
from cityops.cockpit.panels import registered_panels
from cityops.cockpit.present import period_label, present
from cityops.core.context_processors import site
from cityops.core.periods import Period

WALL_REFRESH = 60  # ◐ seconds between the big screen's reloads (``?every=`` overrides)
PANELS_CACHE_SECONDS = 3600  # a new snapshot has a new key: this only bounds the cache's size


def _sections(request: HttpRequest, *, wall: bool) -> dict[str, Any]:
    """The newest snapshot and its panels' HTML. The panels read nothing but the snapshot and
    show every viewer the same, so their HTML is cached per snapshot, language and mode: a
    request costs the snapshot's head row and the cache."""
    snapshot = selectors.snapshot_head()
    if snapshot is None:
        return {"snapshot": None, "panels_html": ""}
    panels = registered_panels()
    key = ":".join(
        (
            "cockpit:panels",
            str(snapshot.pk),
            f"{snapshot.computed_at.timestamp()}",
            get_language() or "",
            "wall" if wall else "page",
            ",".join(p.name for p in panels),
        )
    )
    html = cache.get(key)
    if html is None:
        snapshot.refresh_from_db(fields=["data"])
        stored = snapshot.data.get("panels", {})
        failed = set(snapshot.data.get("failed", []))
        map_config = site(request)["map_config"]
        sections: list[dict[str, Any]] = []
        for panel in panels:
            if panel.name in stored:
                view = present(panel.name, stored[panel.name], map_config)
                sections.append({"panel": panel, "data": stored[panel.name], "view": view})
            elif panel.name in failed:
                sections.append({"panel": panel, "failed": True})
        html = render_to_string("cockpit/_sections.html", {"sections": sections, "wall": wall})
        cache.set(key, html, PANELS_CACHE_SECONDS)
    return {"snapshot": snapshot, "panels_html": mark_safe(html)}  # noqa: S308 (our template)


def _every(request: HttpRequest) -> int:
    raw = request.GET.get("every", "")
    return min(max(int(raw), 15), 3600) if raw.isdigit() and len(raw) < 6 else WALL_REFRESH


@login_required
@require_GET
def cockpit_page(request: HttpRequest) -> HttpResponse:
    access_cockpit(request.user)
    return render(request, "cockpit/page.html", _sections(request, wall=False))


@login_required
@require_GET
def wall_page(request: HttpRequest) -> HttpResponse:
    access_cockpit(request.user)
    context = {**_sections(request, wall=True), "every": _every(request)}
    return render(request, "cockpit/wall.html", context)


@login_required
@require_GET
def wall_body(request: HttpRequest) -> HttpResponse:
    """The big screen's content, fetched by htmx every ``every`` seconds."""
    access_cockpit(request.user)
    context = {**_sections(request, wall=True), "every": _every(request)}
    return render(request, "cockpit/_wall_body.html", context)


@login_required
@require_GET
def votes_page(request: HttpRequest) -> HttpResponse:
    access_cockpit(request.user)
    try:
        period = Period.parse(request.GET.get("period", ""))
        period.bounds  # noqa: B018 (year 9999 has no end: a 400, not a 500)
    except (ValueError, OverflowError):
        error = {"error": _("Give a period such as 2026, 2026-Q4 or 2026-11.")}
        return render(request, "cockpit/votes.html", error, status=400)
    rows = list(selectors.votes_held(period=period)[: selectors.VOTES_LISTED])
    context: dict[str, Any] = {
        "rows": rows,
        "label": period_label(str(period)),
        "capped": selectors.VOTES_LISTED,
    }
    return render(request, "cockpit/votes.html", context)
