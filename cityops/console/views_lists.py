"""Case-list tools: saved filters (save / delete) and bulk dispatch with its summary."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cityops.accounts.access import actor_for
from cityops.accounts.models import Role
from cityops.console import services
from cityops.console.forms_lists import BulkDispatchForm, SavedFilterForm
from cityops.console.models import SavedFilter
from cityops.core.errors import DomainError


def saved_filters_for(user: Any) -> QuerySet[SavedFilter]:
    """The user's own filters and those shared with the user's organisation (or, for the
    city-wide command centre, those shared by colleagues without an organisation)."""
    actor = actor_for(user)
    q = Q(owner_id=actor.user_id)
    if actor.organisation_ids:
        q |= Q(shared=True, shared_with_id__in=actor.organisation_ids)
    if actor.is_city_wide:
        q |= Q(shared=True, shared_with__isnull=True)
    return SavedFilter.objects.filter(q).select_related("owner").order_by("name", "id")


def may_bulk_dispatch(user: Any) -> bool:
    return actor_for(user).has_role(Role.DISPATCHER)


def _list_url(query: str) -> str:
    url = reverse("console:case-list")
    return f"{url}?{query}" if query else url


@login_required
@require_POST
def saved_filter_save_view(request: HttpRequest) -> HttpResponse:
    form = SavedFilterForm(request.POST)
    query = services.clean_query(request.POST.get("query", ""))
    if form.is_valid():
        try:
            row = services.saved_filter_save(
                owner=request.user,
                name=form.cleaned_data["name"],
                query=query,
                share=form.cleaned_data["share"],
            )
        except DomainError as err:
            messages.error(request, str(err.message))
        else:
            messages.success(request, _("Filter “%(name)s” saved.") % {"name": row.name})
            return redirect(_list_url(row.query))
    else:
        for name, errors in form.errors.items():
            label = form.fields[name].label if name in form.fields else ""
            for error in errors:
                messages.error(request, f"{label}: {error}" if label else str(error))
    return redirect(_list_url(query))


@login_required
@require_POST
def saved_filter_delete_view(request: HttpRequest, filter_id: int) -> HttpResponse:
    services.saved_filter_delete(filter_id=filter_id, actor=request.user)
    messages.success(request, _("Saved filter deleted."))
    return redirect("console:case-list")


@login_required
@require_POST
def bulk_dispatch_view(request: HttpRequest) -> HttpResponse:
    if not may_bulk_dispatch(request.user):
        raise Http404
    form = BulkDispatchForm(request.POST)
    back = request.POST.get("back", "")
    back_url = _list_url(services.clean_query(back))
    outcomes: list[services.BulkOutcome] = []
    status = 400
    if form.is_valid():
        try:
            selection = services.parse_selection(request.POST.getlist("cases"))
        except DomainError as err:
            form.add_error(None, str(err.message))
        else:
            outcomes = services.cases_dispatch_bulk(
                selection=selection,
                actor=request.user,
                unit=form.cleaned_data["unit"],
                reason=form.cleaned_data["reason"],
            )
            status = 200
    if not url_has_allowed_host_and_scheme(back_url, allowed_hosts={request.get_host()}):
        back_url = reverse("console:case-list")
    return render(
        request,
        "console/bulk_result.html",
        {
            "form": form,
            "done": [o for o in outcomes if o.ok],
            "failed": [o for o in outcomes if not o.ok],
            "back_url": back_url,
        },
        status=status,
    )
